import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import {
  parseCliArgs,
  type CliCommand,
  runCliCommand,
  runIfStartedAs,
} from '@kingbridge/config';

/*
 * The file-level import graph check (module boundaries see projects, not files):
 *   cycle             a circle of runtime imports between code files (type-only imports are erased, so they are left
 *                     out; test files are not part of the graph);
 *   leaves-project    a relative import that ends in another Nx project (a folder with package.json or project.json);
 *   service-internals an import from scripts/, tools/, bench/, deploy/ or e2e/ into services/<svc>/src/ other than
 *                     the service's package entry (its `@kingbridge/<svc>` path target, src/index.ts).
 * Imports are read statically: a dynamic import() of a computed path is not seen.
 */

/** The folders whose .ts files are read. */
export const IMPORT_ROOTS = [
  'libs',
  'services',
  'scripts',
  'tools',
  'bench',
  'deploy',
  'e2e',
] as const;

/** Folders that use services only through their package entry. */
const OUTSIDE_ROOTS = ['scripts', 'tools', 'bench', 'deploy', 'e2e'];

const TEST_FILE = /\.(spec|integration-spec|e2e-spec)\.ts$/;
const TEST_FOLDER = /(^|\/)(__tests__|test)\//;

export type ImportProblemKind =
  'cycle' | 'leaves-project' | 'service-internals';

export interface ImportProblem {
  readonly kind: ImportProblemKind;
  /** Repo-relative, `/`-separated. */
  readonly file: string;
  readonly message: string;
}

interface ImportEdge {
  readonly specifier: string;
  /** Repo-relative target file, or undefined for a package outside the tree. */
  readonly target: string | undefined;
  readonly typeOnly: boolean;
}

/** True for a spec file or a file under a `__tests__/` or `test/` folder. */
export function isTestFile(file: string): boolean {
  return TEST_FILE.test(file) || TEST_FOLDER.test(file);
}

function listTsFiles(root: string, dir: string, out: string[]): void {
  if (!existsSync(join(root, dir))) return;
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) listTsFiles(root, path, out);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
      out.push(path);
  }
}

/** `import`/`export … from` and `import('literal')`/`require('literal')`, with whether each is erased at runtime. */
function readImports(
  file: string,
  text: string,
): { specifier: string; typeOnly: boolean }[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest);
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push({
        specifier: node.moduleSpecifier.text,
        typeOnly: ts.isImportDeclaration(node)
          ? importIsTypeOnly(node)
          : exportIsTypeOnly(node),
      });
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) &&
          node.expression.text === 'require')) &&
      node.arguments.length === 1 &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function importIsTypeOnly(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (clause === undefined) return false; // `import './x'` runs x
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return (
    clause.name === undefined &&
    bindings !== undefined &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((e) => e.isTypeOnly)
  );
}

function exportIsTypeOnly(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return (
    clause !== undefined &&
    ts.isNamedExports(clause) &&
    clause.elements.length > 0 &&
    clause.elements.every((e) => e.isTypeOnly)
  );
}

function compilerOptions(root: string): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.base.json');
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error)
    throw new Error(
      ts.flattenDiagnosticMessageText(read.error.messageText, '\n'),
    );
  return ts.parseJsonConfigFileContent(
    read.config,
    ts.sys,
    root,
    {},
    configPath,
  ).options;
}

/** The Nx project of each folder: the nearest folder (below the root) with a package.json or project.json. */
function projectFinder(root: string): (file: string) => string {
  const cache = new Map<string, string>();
  const projectOf = (dir: string): string => {
    if (dir === '.' || dir === '') return '';
    const known = cache.get(dir);
    if (known !== undefined) return known;
    const project =
      existsSync(join(root, dir, 'package.json')) ||
      existsSync(join(root, dir, 'project.json'))
        ? dir
        : projectOf(dirname(dir));
    cache.set(dir, project);
    return project;
  };
  return (file) => projectOf(dirname(file));
}

/**
 * The files other projects may import: the tsconfig.base.json path targets (a service's `@kingbridge/<svc>` entry,
 * its src/index.ts), repo-relative.
 */
function packageEntries(
  root: string,
  options: ts.CompilerOptions,
): Set<string> {
  const base = options.baseUrl ?? root;
  return new Set(
    Object.values(options.paths ?? {})
      .flat()
      .flatMap((target) => toRepoPath(root, resolve(base, target)) ?? []),
  );
}

function toRepoPath(root: string, absolute: string): string | undefined {
  const rel = relative(root, absolute);
  if (rel.startsWith('..') || rel.includes(`node_modules${sep}`))
    return undefined;
  return rel.split(sep).join('/');
}

/** Every import edge of every file below the import roots of `root`, resolved as TypeScript resolves them. */
function importGraph(
  root: string,
  options: ts.CompilerOptions,
): Map<string, ImportEdge[]> {
  const host = ts.sys;
  const cache = ts.createModuleResolutionCache(root, (f) => f, options);
  const files: string[] = [];
  for (const dir of IMPORT_ROOTS) listTsFiles(root, dir, files);
  const graph = new Map<string, ImportEdge[]>();
  for (const file of files) {
    const absolute = join(root, file);
    const edges = readImports(file, readFileSync(absolute, 'utf8')).map(
      ({ specifier, typeOnly }): ImportEdge => {
        const resolved = ts.resolveModuleName(
          specifier,
          absolute,
          options,
          host,
          cache,
        ).resolvedModule;
        const target =
          resolved && !resolved.isExternalLibraryImport
            ? toRepoPath(root, resolved.resolvedFileName)
            : specifier.startsWith('.')
              ? toRepoPath(root, resolve(dirname(absolute), specifier))
              : undefined;
        return { specifier, target, typeOnly };
      },
    );
    graph.set(file, edges);
  }
  return graph;
}

/** One circle through each strongly connected group of files (Tarjan), as the list of its files in import order. */
export function findCycles(
  edges: ReadonlyMap<string, readonly string[]>,
): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  let next = 0;
  const connect = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const to of edges.get(node) ?? []) {
      if (!index.has(to)) {
        connect(to);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(to) ?? 0));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(to) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    for (;;) {
      const member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      group.push(member);
      if (member === node) break;
    }
    const selfLoop = (edges.get(node) ?? []).includes(node);
    if (group.length > 1 || selfLoop) groups.push(group);
  };
  for (const node of [...edges.keys()].sort())
    if (!index.has(node)) connect(node);
  return groups.map((group) => circleThrough(group, edges));
}

/** A shortest path from the group's first file (sorted) back to itself, staying inside the group. */
function circleThrough(
  group: readonly string[],
  edges: ReadonlyMap<string, readonly string[]>,
): string[] {
  const members = new Set(group);
  const start = [...group].sort()[0] ?? '';
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() ?? '';
    for (const to of [...(edges.get(node) ?? [])].sort()) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [node];
        for (let at = node; at !== start;) {
          at = cameFrom.get(at) ?? start;
          path.unshift(at);
        }
        return path[0] === start ? path : [start, ...path];
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start];
}

/** Every problem of the tree at `root` (a repo checkout with tsconfig.base.json), sorted by kind and file. */
export function checkImports(root: string): ImportProblem[] {
  const absoluteRoot = resolve(root);
  const options = compilerOptions(absoluteRoot);
  const graph = importGraph(absoluteRoot, options);
  const entries = packageEntries(absoluteRoot, options);
  const projectOf = projectFinder(absoluteRoot);
  const problems: ImportProblem[] = [];

  const runtime = new Map<string, string[]>();
  for (const [file, edges] of graph) {
    if (isTestFile(file)) continue;
    runtime.set(
      file,
      edges.flatMap((e) =>
        !e.typeOnly &&
        e.target !== undefined &&
        graph.has(e.target) &&
        !isTestFile(e.target)
          ? [e.target]
          : [],
      ),
    );
  }
  for (const circle of findCycles(runtime)) {
    problems.push({
      kind: 'cycle',
      file: circle[0] ?? '',
      message: `import cycle: ${[...circle, circle[0]].join(' -> ')}`,
    });
  }

  for (const [file, edges] of graph) {
    const top = file.split('/')[0] ?? '';
    const seen = new Set<string>();
    for (const edge of edges) {
      if (edge.target === undefined || seen.has(edge.specifier)) continue;
      seen.add(edge.specifier);
      if (
        edge.specifier.startsWith('.') &&
        projectOf(edge.target) !== projectOf(file)
      ) {
        problems.push({
          kind: 'leaves-project',
          file,
          message: `'${edge.specifier}' leaves project ${projectOf(file) || '(none)'} for ${projectOf(edge.target) || '(none)'} (${edge.target}); import its package entry`,
        });
      }
      const service = /^services\/([^/]+)\/src\//.exec(edge.target)?.[1];
      if (
        service !== undefined &&
        OUTSIDE_ROOTS.includes(top) &&
        !entries.has(edge.target)
      ) {
        problems.push({
          kind: 'service-internals',
          file,
          message: `'${edge.specifier}' reaches into ${edge.target}; use the service's package entry (@kingbridge/${service})`,
        });
      }
    }
  }
  return problems.sort(
    (a, b) => a.kind.localeCompare(b.kind) || a.file.localeCompare(b.file),
  );
}

export const CHECK_IMPORTS_USAGE = [
  'usage: tsx scripts/check-imports.ts [--root DIR]',
  `  reads the imports of every .ts file under ${IMPORT_ROOTS.join(', ')} (aliases through tsconfig.base.json paths)`,
  '  and exits 1 on an import cycle between code files (type-only imports and test files left out), a relative',
  '  import that leaves its Nx project, or an import from scripts/tools/bench/deploy/e2e into services/<svc>/src',
  "  other than the service's package entry",
  '  --root DIR   the repo to check (default: the current folder)',
].join('\n');

/** Prints the problems (stderr) or that there are none; returns the exit code. */
function report(problems: readonly ImportProblem[]): number {
  if (problems.length === 0) {
    console.log('import graph: no cycles, no imports across boundaries');
    return 0;
  }
  console.error(
    problems.map((p) => `${p.file}: ${p.kind}: ${p.message}`).join('\n'),
  );
  return 1;
}

const COMMAND: CliCommand = {
  name: 'check-imports',
  usage: CHECK_IMPORTS_USAGE,
};

/** Checks the import graph; returns 1 when it has a problem. */
export function run(argv: readonly string[]): Promise<number> {
  return runCliCommand(argv, COMMAND, async (args) => {
    const { values } = parseCliArgs(args, {
      options: { root: { type: 'string' } },
    });
    return report(checkImports(values.root ?? '.'));
  });
}

runIfStartedAs('scripts/check-imports', 'check-imports', run);
