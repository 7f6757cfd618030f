import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** True when a command line asks for help (`--help` / `-h`): print the usage and exit 0, doing nothing else. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** An input file a CLI could not read: the message names the file and, for bad JSON, the line. */
export class InputFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputFileError';
  }
}

function lineAt(text: string, position: number): number {
  return text.slice(0, position).split('\n').length;
}

/** Reads a text file; an unreadable one is an InputFileError naming it. */
export async function readTextFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new InputFileError(
      `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
}

/** V8 shows this many characters either side of an unexpected token (and no position). */
const V8_CONTEXT = 10;

/**
 * Where a `JSON.parse` error is: `at position N`, or for an unexpected token (Node 20 names no position) the
 * excerpt V8 quotes around it (`..."<10 before><token><9 after>"...`), found in the text.
 */
function errorPosition(message: string, text: string): number | undefined {
  const at = /position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  const quoted =
    /^Unexpected token .*?, (\.\.\.)?"([\s\S]*)"(\.\.\.)? is not valid JSON$/.exec(
      message,
    );
  if (!quoted) return undefined;
  const [, before, excerpt = '', after] = quoted;
  if (before) {
    const start = text.indexOf(excerpt);
    return start < 0 ? undefined : start + V8_CONTEXT;
  }
  if (after) return Math.max(0, excerpt.length - V8_CONTEXT);
  return undefined;
}

/** Parses the JSON text of `file`; a syntax error is an InputFileError naming `file:line`. */
export function parseJsonText(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const message = (err as Error).message;
    const at = errorPosition(message, text);
    const line = at === undefined ? text.split('\n').length : lineAt(text, at);
    throw new InputFileError(`${file}:${line}: not valid JSON (${message})`);
  }
}

/** Reads and parses a JSON file; errors name `file:line` (syntax) or the file (unreadable). */
export async function readJsonFile(file: string): Promise<unknown> {
  return parseJsonText(file, await readTextFile(file));
}

/** A command line a CLI cannot run (unknown command or option, missing argument): exit code 2 with the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * `util.parseArgs` failures (unknown option, missing value) as a UsageError that names the option,
 * anything else unchanged.
 */
export function asUsageError(err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')
    ? new UsageError((err as Error).message.split('. To specify')[0] ?? '')
    : err;
}

/** The options `parseCliArgs` takes: `util.parseArgs`' config without `args` (given separately) and `strict` (always on). */
export type CliArgsConfig = Omit<ParseArgsConfig, 'args' | 'strict' | 'tokens'>;

/**
 * The one argument parser of every Kingbridge CLI: `util.parseArgs`, strict (an unknown option is an error), with
 * its failures (unknown option, missing value, unexpected argument) turned into a `UsageError` that names the option.
 */
export function parseCliArgs<const T extends CliArgsConfig>(
  argv: readonly string[],
  config: T,
): ReturnType<typeof parseArgs<T & { args: string[]; strict: true }>> {
  try {
    return parseArgs({ ...config, args: [...argv], strict: true });
  } catch (err) {
    throw asUsageError(err);
  }
}

export interface CliCommand {
  /** Prefix of its error lines (`dlq: unknown option --x`). */
  readonly name: string;
  /** Printed on --help (stdout, exit 0) and after a usage error (stderr, exit 2). */
  readonly usage: string;
}

/**
 * Runs one CLI command the same way everywhere: `--help`/`-h` prints the usage and exits 0 doing nothing else; a
 * `UsageError` (or a `util.parseArgs` failure) prints `<name>: <message>` and the usage, exit 2; an `InputFileError`
 * (a bad input file, named with its line) prints its message, exit 1. Anything else is thrown on.
 */
export async function runCliCommand(
  argv: readonly string[],
  command: CliCommand,
  body: (argv: readonly string[]) => Promise<number>,
): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await body(argv);
  } catch (err) {
    const e = asUsageError(err);
    if (e instanceof UsageError) {
      process.stderr.write(
        `${command.name}: ${e.message}\n\n${command.usage}\n`,
      );
      return 2;
    }
    if (e instanceof InputFileError) {
      process.stderr.write(`${command.name}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/**
 * True when this process was started as `entry` (`scripts/migrate` for `tsx scripts/migrate.ts` or the image's
 * `node dist/scripts/migrate.js`); false when the file is imported or bundled into another entry (the `kingbridge`
 * CLI), where `require.main === module` cannot tell them apart.
 */
export function startedAs(entry: string): boolean {
  const started = process.argv[1]
    ?.replaceAll('\\', '/')
    .replace(/\.[cm]?[jt]s$/, '');
  return (
    started !== undefined &&
    (started === entry || started.endsWith(`/${entry}`))
  );
}

/**
 * A script's entry: when started as `entry`, runs `run` with the command line and exits with its code; an
 * unexpected error is printed as `<name>: <message>` with exit 2 (a setup error, as in the `kingbridge` CLI).
 */
export function runIfStartedAs(
  entry: string,
  name: string,
  run: (argv: readonly string[]) => Promise<number>,
): void {
  if (!startedAs(entry)) return;
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(
        `${name}: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      process.exit(2);
    },
  );
}
