/**
 * Alias of the one dead-letter CLI for the sink's Kingdee dead letters:
 *   tsx services/sink-kingdee/src/cli.ts dlq <list|replay> [options]
 * runs `kingbridge dlq <list|replay> sink [options]` (tools/src/kingbridge.ts, scripts/replay-dlq.ts), which
 * holds the options, the output and the exit codes. The same file layout under tsx and in the image (dist/).
 */
import { spawnSync } from 'node:child_process';
import { extname, resolve } from 'node:path';
import { startedAs, wantsHelp } from '@kingbridge/config';

const USAGE = `usage: tsx services/sink-kingdee/src/cli.ts dlq <list|replay> [options]
  the same as \`kingbridge dlq <list|replay> sink [options]\` (npm run kb -- dlq --help lists the options)`;

/** The `kingbridge` command line this alias runs, or undefined when `argv` is not `dlq list|replay ...`. */
export function kingbridgeArgs(argv: readonly string[]): string[] | undefined {
  const [group, command, ...rest] = argv;
  if (group !== 'dlq' || (command !== 'list' && command !== 'replay'))
    return undefined;
  return ['dlq', command, 'sink', ...rest];
}

function main(argv: readonly string[]): number {
  const args = kingbridgeArgs(argv);
  if (args === undefined && wantsHelp(argv)) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args === undefined) {
    process.stderr.write(
      `sink-kingdee cli: give dlq list or dlq replay\n\n${USAGE}\n`,
    );
    return 2;
  }
  // This file is services/sink-kingdee/src/cli.{ts,js}; the CLI is tools/src/kingbridge.{ts,js} beside it.
  const kingbridge = resolve(
    __dirname,
    `../../../tools/src/kingbridge${extname(__filename)}`,
  );
  const r = spawnSync(
    process.execPath,
    [...process.execArgv, kingbridge, ...args],
    { stdio: 'inherit' },
  );
  if (r.error) throw r.error;
  return r.status ?? 2;
}

if (startedAs('services/sink-kingdee/src/cli'))
  process.exit(main(process.argv.slice(2)));
