import { resolve } from 'node:path';
import { rawRecordSchema, type RawRecord } from '@kingbridge/contracts';
import type {
  ConsumedMessage,
  DeadLetterInput,
  KafkaProducer,
} from '@kingbridge/kafka';
import { createLogger } from '@kingbridge/observability';
import { contentHash, RetriableError } from '@kingbridge/pipeline-core';
import {
  InMemoryLookupProvider,
  type LookupProvider,
  type LookupQuery,
} from '@kingbridge/transform-engine';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RawBatchProcessor } from '../consumer/raw-batch.processor';
import { loadFlows } from '../flows/load-flows';
import type { MergeStateRepository } from '../merge/merge-state.repository';
import { TransformMetrics } from '../metrics/transform.metrics';

const PLANS_DIR = resolve(__dirname, '../../../../plans');

const TABLES = {
  materials: [{ number: 'SKU1', id: 'M1' }],
  units: [{ sku_id: 'SKU1', id: 'U1' }],
  stocks: [{ wms_co_id: '1', wh_id: '1', id: 'S1' }],
};

/** Master data where one material is "not in Kingdee yet" (as a K3Cloud-read table answers within retryFor). */
class NotYetLookups implements LookupProvider {
  private readonly rows = new InMemoryLookupProvider(TABLES);
  async preload(queries: readonly LookupQuery[]): Promise<void> {
    await this.rows.preload(queries);
  }
  get(query: LookupQuery) {
    if (query.where.some(([, v]) => v === 'SKU-LATER'))
      throw new RetriableError('material SKU-LATER not in Kingdee yet', {
        errorClass: 'lookup',
        retryAfterMs: 5_000,
      });
    return this.rows.get(query);
  }
}

function count(id: string, sku: string): ConsumedMessage<RawRecord> {
  const payload = {
    io_id: id,
    io_date: '2026-05-01 10:00:00',
    wms_co_id: 1,
    wh_id: 1,
    remark: '',
    items: [{ sku_id: sku, qty: -2, remark: '' }],
  };
  const value = rawRecordSchema.parse({
    schemaVersion: 1,
    platform: 'jushuitan',
    entity: 'inventory-count',
    stream: 'jushuitan.inventory-count.confirmed',
    sourceId: id,
    modifiedAt: '2026-05-01T02:00:00.000Z',
    contentHash: contentHash(payload),
    payload,
    runId: 'run-1',
    fetchedAt: '2026-05-01T02:00:00.000Z',
  });
  return {
    topic: 'oms.jushuitan.inventory-count.raw.v1',
    partition: 0,
    offset: id,
    key: id,
    value,
    headers: {},
    timestamp: '0',
    attempt: 1,
    raw: { key: null, value: Buffer.from(JSON.stringify(value)), headers: {} },
  };
}

describe('raw batch processor: a record whose master data may still appear', () => {
  it('should hand a retriable mapping failure back to the consumer as a retry, not a dead letter', async () => {
    // Arrange
    const lookups = new NotYetLookups();
    const flows = (
      await loadFlows({ PLANS_DIR, MERGE_WINDOW_SIZE: undefined }, lookups)
    ).filter((f) => f.id === 'jushuitan-count-loss-to-jdy');
    const sent: string[] = [];
    const deadLettered: DeadLetterInput[] = [];
    const producer = {
      async send(_topic: string, messages: { key: string | null }[]) {
        sent.push(...messages.map((m) => String(m.key)));
        return [];
      },
    } as unknown as KafkaProducer;
    const processor = new RawBatchProcessor({
      flows,
      lookups,
      repository: {} as MergeStateRepository,
      producer,
      deadLetters: {
        async publish(entries) {
          deadLettered.push(...entries);
        },
      },
      metrics: new TransformMetrics(new Registry()),
      logger: createLogger('transform-test', 'silent'),
    });

    // Act
    const outcomes = await processor.handle([
      count('IO-1', 'SKU1'),
      count('IO-2', 'SKU-LATER'),
    ]);

    // Assert: the first is written, the second waits (with the source's hint), nothing is dead-lettered.
    expect(outcomes.map((o) => o.kind)).toEqual(['done', 'retry']);
    expect(outcomes[1]).toMatchObject({
      retryAfterMs: 5_000,
      error: { errorClass: 'lookup' },
    });
    expect(sent).toEqual(['jushuitan-count-loss-to-jdy:IO-1']);
    expect(deadLettered).toEqual([]);
  });
});
