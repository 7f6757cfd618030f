import { readFile } from 'node:fs/promises';

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

/** Reads and parses a JSON file; errors name `file:line` (syntax) or the file (unreadable). */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputFileError(
      `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const message = (err as Error).message;
    const at = /position (\d+)/.exec(message);
    const line = at ? lineAt(text, Number(at[1])) : text.split('\n').length;
    throw new InputFileError(`${file}:${line}: not valid JSON (${message})`);
  }
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
