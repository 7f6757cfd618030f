/* eslint-disable @typescript-eslint/no-require-imports -- Nx loads plugins with require() */
// The Nx targets every project has, inferred from its package.json (with an "nx" key) or project.json, so that a
// new folder (a fifth source platform) gets them without a line of configuration:
//   lint              eslint over the project's folder, with the module-boundaries rule
//   typecheck         tsc over the project's files (scripts/typecheck-project.ts; what they import is read too)
//   test              its unit specs (vitest project `unit`, files under the folder)
//   test-integration  its integration specs (vitest project `integration`, real Kafka and Postgres)
// `npx nx run-many -t lint typecheck test` runs them for every project; `npm test` runs the same checks over the
// whole repository at once.
const { dirname } = require('node:path');
const { readFileSync } = require('node:fs');

function isProject(file, workspaceRoot) {
  if (dirname(file) === '.') return false; // the root package.json is the workspace, not a project
  if (file.endsWith('project.json')) return true;
  try {
    const pkg = JSON.parse(readFileSync(`${workspaceRoot}/${file}`, 'utf8'));
    return pkg.nx !== undefined;
  } catch {
    return false;
  }
}

function targetsOf(root) {
  const run = (command) => ({
    executor: 'nx:run-commands',
    options: { command, cwd: '{workspaceRoot}' },
  });
  return {
    lint: run(`npx eslint --max-warnings 0 ${root}`),
    typecheck: run(`npx tsx scripts/typecheck-project.ts ${root}`),
    test: run(`npx vitest run --project unit --passWithNoTests ${root}/`),
    'test-integration': run(
      `npx vitest run --project integration --passWithNoTests ${root}/`,
    ),
  };
}

module.exports = {
  name: 'kingbridge-project-targets',
  createNodesV2: [
    '**/{package.json,project.json}',
    async (files, _options, context) =>
      files
        .filter((file) => isProject(file, context.workspaceRoot))
        .map((file) => {
          const root = dirname(file);
          return [file, { projects: { [root]: { targets: targetsOf(root) } } }];
        }),
  ],
};
