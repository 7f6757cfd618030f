import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { rawRecordSchema, type RawRecord } from '@kingbridge/contracts';
import type { KafkaProducer } from '@kingbridge/kafka';
import { createLogger } from '@kingbridge/observability';
import { contentHash } from '@kingbridge/pipeline-core';
import {
  InMemoryLookupProvider,
  type LookupRow,
  type MergeChanges,
  type MergeStateSnapshot,
  type WindowMeta,
} from '@kingbridge/transform-engine';
import { Registry } from 'prom-client';
import type { QueryRunner } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { loadFlows, type Flow } from '../flows/load-flows';
import type { MergeStateRepository } from '../merge/merge-state.repository';
import { WindowEmitter } from '../merge/window-emitter';
import { TransformMetrics } from '../metrics/transform.metrics';

const PLANS_DIR = resolve(__dirname, '../../../../plans');
const FLOW = 'jackyun-retail-orders-to-k3cloud-outstock';
const LOOKUPS = JSON.parse(
  readFileSync(
    resolve(
      __dirname,
      '../../../../libs/transform-engine/fixtures',
      FLOW,
      'lookups.json',
    ),
    'utf8',
  ),
) as Record<string, LookupRow[]>;
const NOW = Date.parse('2026-05-03T02:00:00.000Z');

function order(no: string, at: string): RawRecord {
  const payload = {
    TradeNo: no,
    TradeStatus: 6000,
    TradeType: 1,
    Shopcode: 'SHOP-A',
    WarehouseCode: 'WH-1',
    ConsignTime: at,
    GoodsDetail: [
      { GoodsNo: 'G1', SellCount: 1, ShareFavourableAfterFee: '1.00' },
    ],
  };
  return rawRecordSchema.parse({
    schemaVersion: 1,
    platform: 'jackyun',
    entity: 'sales-order',
    stream: 'jackyun.sales-order.retail-shipped',
    sourceId: no,
    modifiedAt: '2026-05-01T10:00:00.000Z',
    contentHash: contentHash(payload),
    payload,
    runId: 'run-1',
    fetchedAt: '2026-05-01T10:00:00.000Z',
  });
}

/** The merge state of one record, as a flow's merger holds it after merging it. */
function stateOf(flow: Flow, raw: RawRecord): MergeStateSnapshot {
  flow.transformer.restoreMergeState({
    version: 1,
    watermark: null,
    windows: [],
  });
  flow.transformer.process(raw);
  const merger = flow.transformer.merger;
  if (!merger) throw new Error('no merger');
  merger.takeRecordChanges();
  return JSON.parse(JSON.stringify(merger.snapshot())) as MergeStateSnapshot;
}

describe('window emitter', () => {
  it("should write back the emission's changes when a consumer batch restores the flow's merger while the outbox write is awaited", async () => {
    // Arrange: one due window of yesterday; the outbox write lets a batch of the consumer run (another window).
    const lookups = new InMemoryLookupProvider(LOOKUPS);
    const [flow] = (
      await loadFlows(
        { PLANS_DIR, MERGE_WINDOW_SIZE: undefined },
        lookups,
        () => NOW,
      )
    ).filter((f) => f.id === FLOW);
    if (!flow) throw new Error(`no flow ${FLOW}`);
    const due = stateOf(flow, order('JY1', '2026-05-01 10:00:00'));
    const other = stateOf(flow, order('JY2', '2026-05-03 09:00:00'));
    const [meta] = due.windows.map(
      ({ records: _r, emitted: _e, ...m }): WindowMeta => m,
    );
    if (!meta) throw new Error('no window');
    const written: MergeChanges[] = [];
    const repository = {
      transaction: (work: (tx: QueryRunner) => Promise<unknown>) =>
        work({} as QueryRunner),
      readEventTime: async () => ({
        watermark: due.watermark,
        eventTimes: { partitions: {} },
      }),
      lockDueWindows: async () => [meta],
      lockWindows: async () => [],
      existingKeys: async () => new Set<string>(),
      snapshot: async () => due,
      addToOutbox: async () => {
        // A consumer batch in between: restore → process → take, synchronously, as RawBatchProcessor does.
        flow.transformer.restoreMergeState(other, { handedOver: true });
        flow.transformer.process(order('JY3', '2026-05-03 09:30:00'));
        flow.transformer.merger?.takeRecordChanges();
      },
      writeChanges: async (
        _tx: QueryRunner,
        _flow: string,
        c: MergeChanges,
      ) => {
        written.push(c);
        return new Map<string, string>();
      },
    } as unknown as MergeStateRepository;
    const emitter = new WindowEmitter({
      flows: [flow],
      repository,
      lookups: { preloadTables: async () => undefined },
      producer: {} as KafkaProducer,
      deadLetters: { publish: async () => undefined },
      metrics: new TransformMetrics(new Registry()),
      logger: createLogger('transform-test', 'silent'),
      clock: () => NOW,
      limit: 10,
      fault: undefined,
    });

    // Act
    const result = await emitter.emitDue(flow);

    // Assert: the emitted window is written back as emitted, not the consumer's (already taken) changes.
    expect(result).toMatchObject({ emitted: 1, deadLettered: 0 });
    expect(written).toHaveLength(1);
    expect(written[0]?.windows).toEqual([
      expect.objectContaining({ key: meta.key, status: 'emitted' }),
    ]);
  });
});
