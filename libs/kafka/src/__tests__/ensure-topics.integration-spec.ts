import { testKafkaConnection, uniqueName } from '@kingbridge/testing';
import { describe, expect, it } from 'vitest';
import { ensureTopics } from '../index';

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
});
