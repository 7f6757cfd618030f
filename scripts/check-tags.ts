import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseCliArgs,
  parseJsonText,
  runCliCommand,
  runIfStartedAs,
} from '@kingbridge/config';

// Every project carries one type:* and one scope:* tag: libs/*, services/* and e2e in their package.json (nx.tags),
// the source connectors (libs/connectors/source-*) in their project.json, a connector's nested protocol project in its src/protocol/project.json, the tool folders (scripts, tools, bench, deploy) in their project.json (tags).
const packageRoots = ['libs', 'libs/connectors', 'services'];
const packageProjects = ['e2e'];
const toolProjects = ['scripts', 'tools', 'bench', 'deploy'];

function checkTags(
  file: string,
  tags: readonly string[],
  problems: string[],
): void {
  if (tags.filter((t) => t.startsWith('type:')).length !== 1)
    problems.push(`${file}: needs exactly one type:* tag`);
  if (tags.filter((t) => t.startsWith('scope:')).length !== 1)
    problems.push(`${file}: needs exactly one scope:* tag`);
}

export const CHECK_TAGS_USAGE =
  'usage: tsx scripts/check-tags.ts\n  exits 1 when a project lacks exactly one type:* and one scope:* tag';

/**
 * A project's tags: `nx.tags` of its package.json (an npm workspace) or `tags` of its project.json (a source
 * connector, which is not a workspace, so that a new one needs no `npm install`).
 */
function projectTags(
  dir: string,
): { file: string; tags: readonly string[] } | undefined {
  const pkgPath = join(dir, 'package.json');
  if (existsSync(pkgPath)) {
    const pkg = parseJsonText(pkgPath, readFileSync(pkgPath, 'utf8')) as {
      nx?: { tags?: string[] };
    };
    return { file: pkgPath, tags: pkg.nx?.tags ?? [] };
  }
  const projectPath = join(dir, 'project.json');
  if (!existsSync(projectPath)) return undefined;
  const project = parseJsonText(
    projectPath,
    readFileSync(projectPath, 'utf8'),
  ) as { tags?: string[] };
  return { file: projectPath, tags: project.tags ?? [] };
}

function checkAll(): number {
  const problems: string[] = [];
  let projects = 0;
  const packageDirs = [
    ...packageRoots.flatMap((root) =>
      readdirSync(root, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => join(root, d.name))
        .filter((dir) => !packageRoots.includes(dir)),
    ),
    ...packageProjects,
  ];
  for (const dir of packageDirs) {
    const tags = projectTags(dir);
    if (tags === undefined) {
      problems.push(`${dir}: neither package.json nor project.json`);
      continue;
    }
    checkTags(tags.file, tags.tags, problems);
    projects += 1;
    // A connector's wire (src/protocol/) is a project of its own, nested in the lib.
    const protocolPath = join(dir, 'src/protocol/project.json');
    if (existsSync(protocolPath)) {
      const protocol = parseJsonText(
        protocolPath,
        readFileSync(protocolPath, 'utf8'),
      ) as { tags?: string[] };
      checkTags(protocolPath, protocol.tags ?? [], problems);
      projects += 1;
    }
  }
  for (const dir of toolProjects) {
    const projectPath = join(dir, 'project.json');
    if (!existsSync(projectPath)) {
      problems.push(`${projectPath}: missing (${dir}/ must be an Nx project)`);
      continue;
    }
    const project = parseJsonText(
      projectPath,
      readFileSync(projectPath, 'utf8'),
    ) as {
      tags?: string[];
    };
    checkTags(projectPath, project.tags ?? [], problems);
    projects += 1;
  }
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    return 1;
  }
  console.log(`${projects} projects tagged`);
  return 0;
}

/** Checks every project's tags; returns 1 when one is missing a tag. */
export function run(argv: readonly string[]): Promise<number> {
  return runCliCommand(
    argv,
    { name: 'check-tags', usage: CHECK_TAGS_USAGE },
    async (args) => {
      parseCliArgs(args, {});
      return checkAll();
    },
  );
}

runIfStartedAs('scripts/check-tags', 'check-tags', run);
