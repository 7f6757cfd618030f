import { existsSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import {
  parseCliArgs,
  UsageError,
  runCliCommand,
  runIfStartedAs,
} from '@kingbridge/config';

// One project's typecheck (its Nx `typecheck` target): the repository's compiler options (tsconfig.json), the
// project's own .ts files as roots, and the errors found in those files. What they import is read as well, so a
// change that breaks a caller shows in the caller's project. `npm run typecheck` checks the whole repository.

export const TYPECHECK_PROJECT_USAGE =
  'usage: tsx scripts/typecheck-project.ts <project folder>\n  exits 1 when a .ts file under the folder has a type error (named with file:line:col)';

const ROOT = resolve(__dirname, '..');

/** The type errors of the .ts files under `folder` (relative to the repository root), one line each. */
export function typecheckProject(folder: string, root = ROOT): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error(`${root}/tsconfig.json: not readable`);
  const base = resolve(root, folder) + sep;
  const files = config.fileNames.filter((f) => resolve(f).startsWith(base));
  const program = ts.createProgram(files, { ...config.options, noEmit: true });
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...files.flatMap((f) => {
      const sf = program.getSourceFile(f);
      return sf
        ? [
            ...program.getSyntacticDiagnostics(sf),
            ...program.getSemanticDiagnostics(sf),
          ]
        : [];
    }),
  ];
  return diagnostics.map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return `error TS${d.code}: ${text}`;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${relative(root, d.file.fileName)}:${line + 1}:${character + 1}: error TS${d.code}: ${text}`;
  });
}

export function run(argv: readonly string[]): Promise<number> {
  return runCliCommand(
    argv,
    { name: 'typecheck-project', usage: TYPECHECK_PROJECT_USAGE },
    async (args) => {
      const { positionals } = parseCliArgs(args, { allowPositionals: true });
      const [folder, ...extra] = positionals;
      if (folder === undefined || extra.length > 0)
        throw new UsageError('give one project folder');
      if (!existsSync(folder) || !statSync(folder).isDirectory())
        throw new UsageError(`${folder}: not a folder`);
      const errors = typecheckProject(folder);
      for (const e of errors) console.error(e);
      console.log(
        `typecheck ${folder}: ${errors.length === 0 ? 'ok' : `${errors.length} error(s)`}`,
      );
      return errors.length === 0 ? 0 : 1;
    },
  );
}

runIfStartedAs('scripts/typecheck-project', 'typecheck-project', run);
