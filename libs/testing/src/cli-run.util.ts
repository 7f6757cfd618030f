import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '../../..');
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `tsx <script> ...args` from the repo root with nothing reachable (Postgres and Kafka on port 1), so a
 * CLI that does more than parse its arguments and print fails or hangs (then the timeout kills it: code -1).
 */
export async function runTsxCli(
  script: string,
  args: readonly string[],
  timeoutMs = 30_000,
): Promise<CliRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [TSX, script, ...args],
      {
        cwd: ROOT,
        env: {
          PATH: process.env['PATH'] ?? '',
          DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
          KAFKA_BROKERS: '127.0.0.1:1',
          MIGRATE_WAIT_SECONDS: '1',
        },
        timeout: timeoutMs,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    };
  }
}
