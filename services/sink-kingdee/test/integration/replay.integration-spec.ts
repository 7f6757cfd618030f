import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { statusEventSchema } from '@kingbridge/contracts';
import { pollUntil, waitForMessages } from '@kingbridge/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  SinkHarness,
  TEST_DATABASE_URL,
  outstockDocument,
} from './sink.harness';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../../../..');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');
const CLI = resolve(ROOT, 'services/sink-kingdee/src/cli.ts');

async function cli(
  ...args: string[]
): Promise<{ stdout: string; stderr: string }> {
  return run(TSX, [CLI, ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: TEST_DATABASE_URL,
      LOG_LEVEL: 'error',
    },
    timeout: 30_000,
  });
}

describe('sink-kingdee dead-letter replay', () => {
  let h: SinkHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('should write a dead letter once when it is replayed after the master data is fixed', async () => {
    h = await SinkHarness.create();
    await h.ensureTopics();
    const missing = outstockDocument(h.flow, 1, { material: 'SKU-NEW-1' });
    const fine = outstockDocument(h.flow, 2);
    await h.produce([missing, fine]);
    await h.startSink();
    await waitForMessages(h.statusTopic, 2, {
      schema: statusEventSchema,
      timeoutMs: 30_000,
    });

    const listed = await cli(
      'dlq',
      'list',
      '--flow',
      h.flow,
      '--error-class',
      'missing_base_data',
      '--json',
    );
    const rows = listed.stdout
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { documentKey: string; errorMessage: string },
      );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      documentKey: missing.documentKey,
      errorMessage: expect.stringContaining('SKU-NEW-1'),
    });
    expect(h.bills().map((b) => b.billNo)).toEqual([fine.billNo]);

    const fixed = await fetch(`${h.sim.url}/__admin/master-data`, {
      method: 'POST',
      body: JSON.stringify({
        formId: 'BD_MATERIAL',
        records: [{ number: 'SKU-NEW-1', name: '新品', status: 'C' }],
      }),
    });
    expect(fixed.status).toBe(200);
    const replayed = await cli(
      'dlq',
      'replay',
      '--flow',
      h.flow,
      '--key',
      missing.documentKey,
    );
    expect(replayed.stderr).toContain('replayed 1 dead letter(s)');

    await pollUntil(() => h!.bills().length === 2, {
      timeoutMs: 30_000,
      description: 'replayed bill written',
    });
    const db = await h.database();
    await pollUntil(async () => {
      const [row] = (await db.query(
        `SELECT replayed_at, resolved_at FROM sink_kingdee.dead_letter WHERE document_key = $1`,
        [missing.documentKey],
      )) as Array<{ replayed_at: Date | null; resolved_at: Date | null }>;
      return row?.replayed_at && row.resolved_at;
    });

    // A second replay (of the same, now resolved, dead letter) is skipped by the ledger.
    await cli('dlq', 'replay', '--key', missing.documentKey, '--status', 'all');
    const events = await waitForMessages(h.statusTopic, 4, {
      schema: statusEventSchema,
      timeoutMs: 30_000,
    });
    expect(
      events
        .filter((e) => e.value.documentKey === missing.documentKey)
        .map((e) => e.value.outcome),
    ).toEqual(['dead_lettered', 'written', 'duplicate_skipped']);
    expect(
      h.bills().every((b) => b.writeCount === 1 && b.duplicateRejections === 0),
    ).toBe(true);
  });
});
