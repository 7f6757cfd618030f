import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(script: string, args: readonly string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [TSX, script, ...args],
      {
        cwd: ROOT,
        // Nothing reachable: a CLI that does more than print its usage fails or hangs.
        env: {
          PATH: process.env['PATH'] ?? '',
          DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
          KAFKA_BROKERS: '127.0.0.1:1',
          MIGRATE_WAIT_SECONDS: '1',
        },
        timeout: 30_000,
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

describe('operator CLIs', () => {
  it.each([
    'scripts/migrate.ts',
    'scripts/lookups.ts',
    'scripts/replay-dlq.ts',
    'scripts/generate-dashboards.ts',
    'scripts/generate-docs.ts',
  ])(
    'should print the usage and exit 0 on --help without doing anything: %s',
    async (script) => {
      const r = await run(script, ['--help']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/usage:/);
      expect(r.stdout).not.toMatch(/wrote |up to date|applied|pending in/);
    },
  );

  it('should name the file and line of a malformed lookup tables file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kb-cli-'));
    const file = join(dir, 'tables.json');
    await writeFile(
      file,
      '{\n  "orgs": [\n    { "shop_code": "A", }\n  ]\n}\n',
    );
    const r = await run('scripts/lookups.ts', ['load', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:3: not valid JSON`);
  });
});
