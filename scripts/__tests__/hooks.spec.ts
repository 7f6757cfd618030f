import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const HOOK = resolve(__dirname, '../hooks/commit-msg');

function commitMsg(message: string): number | null {
  const file = join(mkdtempSync(join(tmpdir(), 'kb-hook-')), 'COMMIT_EDITMSG');
  writeFileSync(file, message);
  return spawnSync('bash', [HOOK, file], { encoding: 'utf8' }).status;
}

describe('commit-msg hook', () => {
  it.each([
    'sink: retry a timed-out save',
    'source-kit: SourceRequestError is a PipelineError subclass',
    'wdt plan: FEntity_Link ids from the sales order\n\nbody',
    '# a comment git adds\nscripts: one cli',
    "Merge branch 'x'",
  ])('should accept %j', (message) => {
    expect(commitMsg(message)).toBe(0);
  });

  it.each(['Fix stuff', 'Sink: retry', 'sink:retry', 'sink: ', ''])(
    'should reject %j',
    (message) => {
      expect(commitMsg(message)).toBe(1);
    },
  );
});
