import { testKafkaConnection, uniqueName } from '@kingbridge/testing';
import { describe, expect, it } from 'vitest';
import { ensureTopics, listTopicDeadLetters } from '../index';

describe('listTopicDeadLetters (real broker)', () => {
  it('should name a dead-letter topic that does not exist and the ones that do, and list an empty one as empty', async () => {
    const conn = testKafkaConnection();
    const dlq = `${uniqueName('dlq-list')}.dlq`;
    await ensureTopics(conn, [{ name: dlq, partitions: 1 }]);

    const missing = `${dlq.slice(0, -4)}-typo.dlq`;
    const err = await listTopicDeadLetters(conn, missing).catch(
      (e: unknown) => e as Error,
    );

    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(
      `${missing} does not exist on this broker`,
    );
    expect((err as Error).message).toContain(dlq);
    expect(await listTopicDeadLetters(conn, dlq)).toEqual([]);
  });
});
