import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

// Every project carries one type:* and one scope:* tag: libs/*, libs/connectors/* and services/* in their
// package.json (nx.tags), the tool folders (scripts, tools, bench, deploy) in their project.json (tags).
const packageRoots = ['libs', 'libs/connectors', 'services'];
const toolProjects = ['scripts', 'tools', 'bench', 'deploy'];
const problems: string[] = [];
let projects = 0;

function checkTags(file: string, tags: readonly string[]): void {
  projects += 1;
  if (tags.filter((t) => t.startsWith('type:')).length !== 1)
    problems.push(`${file}: needs exactly one type:* tag`);
  if (tags.filter((t) => t.startsWith('scope:')).length !== 1)
    problems.push(`${file}: needs exactly one scope:* tag`);
}

for (const root of packageRoots) {
  for (const dir of readdirSync(root, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    const pkgPath = join(root, dir.name, 'package.json');
    if (!existsSync(pkgPath)) continue;
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as {
      nx?: { tags?: string[] };
    };
    checkTags(pkgPath, pkg.nx?.tags ?? []);
  }
}
for (const dir of toolProjects) {
  const projectPath = join(dir, 'project.json');
  if (!existsSync(projectPath)) {
    problems.push(`${projectPath}: missing (${dir}/ must be an Nx project)`);
    continue;
  }
  const project = JSON.parse(readFileSync(projectPath, 'utf8')) as {
    tags?: string[];
  };
  checkTags(projectPath, project.tags ?? []);
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`${projects} projects tagged`);
