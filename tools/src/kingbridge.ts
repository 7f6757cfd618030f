/**
 * The one operator CLI:
 *   npm run kb -- <command> [args]      (or: npx tsx tools/src/kingbridge.ts <command> [args])
 *   npm run kb -- --help                every command; `<command> --help` for one
 * Each command delegates to its script's run(argv) (see scripts/commands.ts). Exit codes: 0 ok, 1 the command
 * found a problem (a difference, a pending migration, a failed write), 2 a usage error (unknown command or option,
 * missing argument) or a setup error, 130 interrupted.
 */
import { runIfStartedAs } from '@kingbridge/config';
import {
  OPERATOR_COMMANDS,
  type OperatorCommand,
  type OperatorCommandName,
} from '@kingbridge/scripts';

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export function usage(
  commands: Readonly<Record<string, OperatorCommand>> = OPERATOR_COMMANDS,
): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(
    ([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`,
  );
  return [
    'usage: kingbridge <command> [args]   (npm run kb -- <command> [args])',
    '',
    'commands:',
    ...lines,
    '',
    "`kingbridge <command> --help` prints one command's options. Times (--from, --to) are ISO-8601 with an",
    "offset, 'yyyy-MM-dd[ HH:mm[:ss]]' in Beijing time, or now / now-1h / now-7d.",
    'Exit codes: 0 ok, 1 the command found a problem, 2 usage or setup error.',
  ].join('\n');
}

function isCommand(
  name: string,
  commands: Readonly<Record<string, OperatorCommand>>,
): name is OperatorCommandName {
  return Object.hasOwn(commands, name);
}

/** Dispatches one command line; returns the exit code. */
export async function run(
  argv: readonly string[],
  io: CliIo = processIo,
  commands: Readonly<Record<string, OperatorCommand>> = OPERATOR_COMMANDS,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(`kingbridge: give a command\n\n${usage(commands)}\n`);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(`${usage(commands)}\n`);
    return 0;
  }
  if (name.startsWith('-')) {
    io.err(
      `kingbridge: unknown option ${name} (options go after the command)\n\n${usage(commands)}\n`,
    );
    return 2;
  }
  if (!isCommand(name, commands)) {
    io.err(`kingbridge: unknown command ${name}\n\n${usage(commands)}\n`);
    return 2;
  }
  const command = commands[name] as OperatorCommand;
  return (await command.load())(rest);
}

runIfStartedAs('tools/src/kingbridge', 'kingbridge', (argv) => run(argv));
