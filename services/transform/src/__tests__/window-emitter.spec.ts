import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { rawRecordSchema, type RawRecord } from '@kingbridge/contracts';
import type { KafkaProducer } from '@kingbridge/kafka';
import { createLogger } from '@kingbridge/observability';
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
const FIXTURE = resolve(
  __dirname,
  '../../../../libs/transform-engine/fixtures',
  FLOW,
);
const LOOKUPS = JSON.parse(
  readFileSync(resolve(FIXTURE, 'lookups.json'), 'utf8'),
) as Record<string, LookupRow[]>;
/** The golden fixture's raw records, by source id (JY0001 05-01, JY0003 05-02, JY0005 05-01 of SHOP-B). */
const INPUT = new Map(
  (
    JSON.parse(
      readFileSync(resolve(FIXTURE, 'input.json'), 'utf8'),
    ) as unknown[]
  ).map((r) => {
    const raw = rawRecordSchema.parse(r);
    return [raw.sourceId, raw];
  }),
);
const NOW = Date.parse('2026-05-03T02:00:00.000Z');

function input(id: string): RawRecord {
  const raw = INPUT.get(id);
  if (!raw) throw new Error(`no fixture record ${id}`);
  return raw;
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
    const due = stateOf(flow, input('JY0001'));
    const other = stateOf(flow, input('JY0003'));
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
        flow.transformer.process(input('JY0005'));
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
