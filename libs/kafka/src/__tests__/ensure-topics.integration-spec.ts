import { testKafkaConnection, uniqueName } from '@kingbridge/testing';
import { describe, expect, it } from 'vitest';
import { ensureTopics, ensureTopicsWhenReachable } from '../index';

describe('ensureTopics (real broker)', () => {
  it('should create missing topics, grow partitions when fewer and do nothing when up to date', async () => {
    const conn = testKafkaConnection();
    const name = uniqueName('ensure');

    const first = await ensureTopics(conn, [
      { name, partitions: 1, config: { 'retention.ms': '3600000' } },
    ]);
    const second = await ensureTopics(conn, [{ name, partitions: 3 }]);
    const third = await ensureTopics(conn, [{ name, partitions: 3 }]);

    expect(first).toEqual({ created: [name], grown: [] });
    expect(second).toEqual({ created: [], grown: [name] });
    expect(third).toEqual({ created: [], grown: [] });
    expect(
      (await conn.admin.describeTopics([name, `${name}-absent`])).get(name),
    ).toBe(3);
    expect((await conn.admin.describeTopics([`${name}-absent`])).size).toBe(0);
  });

  it('should let several instances starting at once grow and create the same topics (no instance fails)', async () => {
    const conn = testKafkaConnection();
    const grow = uniqueName('ensure-race');
    const fresh = uniqueName('ensure-race-new');
    await ensureTopics(conn, [{ name: grow, partitions: 1 }]);
    const specs = [
      { name: grow, partitions: 6 },
      { name: fresh, partitions: 2 },
    ];
    // Each call has its own admin client, as separate processes would.
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => ensureTopics(conn, specs)),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const sizes = await conn.admin.describeTopics([grow, fresh]);
    expect(sizes.get(grow)).toBe(6);
    expect(sizes.get(fresh)).toBe(2);
  });

  it('should back off between tries while the broker refuses the topics, and stop when aborted', async () => {
    const conn = testKafkaConnection();
    const abort = new AbortController();
    const failures: { reason: string; attempt: number; at: number }[] = [];
    const started = Date.now();

    const done = ensureTopicsWhenReachable(
      conn,
      [
        {
          name: uniqueName('refused'),
          partitions: 1,
          config: { 'cleanup.policy': 'not-a-policy' },
        },
      ],
      {
        signal: abort.signal,
        onFailure: (reason, attempt) => {
          failures.push({ reason, attempt, at: Date.now() - started });
          if (attempt === 3) abort.abort();
        },
      },
    );

    await expect(done).resolves.toBe(false);
    expect(failures.map((f) => f.attempt)).toEqual([1, 2, 3]);
    // CONNECT_BACKOFF: 300 ms, then 600 ms (±20 %) before the second and third tries.
    const [first, , third] = failures as [
      (typeof failures)[0],
      (typeof failures)[0],
      (typeof failures)[0],
    ];
    expect(third.at - first.at).toBeGreaterThanOrEqual(0.8 * 900);
  });
});
