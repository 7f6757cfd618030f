import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTsxCli, type CliRun } from '@kingbridge/testing';

const run = (script: string, args: readonly string[]): Promise<CliRun> =>
  runTsxCli(script, args);

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
