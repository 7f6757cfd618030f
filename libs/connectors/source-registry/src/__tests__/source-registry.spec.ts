import type { SourceConnectorSpec } from '@kingbridge/source-kit';
import { describe, expect, it } from 'vitest';
import {
  allTopics,
  rawTopic,
  SOURCE_CONNECTORS,
  SOURCE_REGISTRY,
  SOURCE_STREAMS,
  sourceRegistry,
} from '../index';

const wdt = SOURCE_CONNECTORS.find((c) => c.id === 'wdt');
if (!wdt) throw new Error('wdt is not registered');

/** A registered spec under another id and streams (enough for the registry, which reads only these). */
function specLike(
  id: string,
  streams: SourceConnectorSpec['streams'],
): SourceConnectorSpec {
  return { ...(wdt as SourceConnectorSpec), id, streams };
}

const order = {
  entity: 'sales-order',
  domain: 'oms',
  api: '/orders',
  method: 'GET',
  idField: 'id',
} as const;

describe('source registry', () => {
  it('should name every raw topic after its stream when the registered streams are read', () => {
    expect(rawTopic('xiaoman', 'sales-order')).toBe(
      'crm.xiaoman.sales-order.raw.v1',
    );
    expect(rawTopic('wdt', 'stockout-order')).toBe(
      'oms.wdt.stockout-order.raw.v1',
    );
    expect(() => rawTopic('wdt', 'sales-channel')).toThrow(
      /no raw topic for platform=wdt entity=sales-channel/,
    );
  });

  it('should create each registered raw topic with a dead-letter topic when all topics are listed', () => {
    const names = allTopics().map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const s of SOURCE_STREAMS) {
      const topic = rawTopic(s.platform, s.entity);
      expect(names).toContain(topic);
      expect(names).toContain(`${topic}.dlq`);
    }
    expect(names).toContain('erp.kingdee.k3cloud.outbound.v1');
  });

  it('should take the platform id of each stream from its spec when streams are derived', () => {
    const registry = sourceRegistry([specLike('acme', [order])]);
    expect(registry.streams).toEqual([{ platform: 'acme', ...order }]);
    expect(registry.stream('acme', 'sales-order')?.api).toBe('/orders');
    expect(registry.stream('acme', 'stockout-order')).toBeUndefined();
  });

  it('should refuse a registry naming what is wrong when specs collide or break the wire form', () => {
    expect(() =>
      sourceRegistry([specLike('acme', [order]), specLike('acme', [order])]),
    ).toThrow(/acme: registered twice/);
    expect(() => sourceRegistry([specLike('acme', [order, order])])).toThrow(
      /acme\/sales-order: listed twice/,
    );
    expect(() => sourceRegistry([specLike('Acme-OMS', [order])])).toThrow(
      /Acme-OMS: a platform id is lower-case letters and digits/,
    );
    expect(() =>
      sourceRegistry([specLike('acme', [{ ...order, entity: 'Orders' }])]),
    ).toThrow(/acme\/Orders: an entity is lower-case words/);
    expect(() => sourceRegistry([specLike('acme', [])])).toThrow(
      /acme: serves no stream/,
    );
  });

  it("should refuse at platform a raw record of a stream no connector serves when a raw topic's message is parsed", () => {
    const record = {
      schemaVersion: 1,
      platform: 'wdt',
      entity: 'stockout-order',
      stream: 'wdt.stockout-order.shipped',
      sourceId: '1001',
      modifiedAt: '2026-04-01T10:00:00.000+08:00',
      contentHash: '0123456789abcdef'.repeat(4),
      payload: { stockout_id: 1001 },
      runId: 'run-1',
      fetchedAt: '2026-04-01T02:00:00.000Z',
    };
    const schema = SOURCE_REGISTRY.rawTopicMessageSchema;
    expect(schema.parse(record)).toEqual(record);
    const replay = { flow: 'f', windowKey: 'w', sourceIds: ['1'] };
    expect(schema.parse(replay)).toEqual(replay);
    for (const [platform, entity] of [
      ['acme', 'stockout-order'],
      ['wdt', 'sales-order'],
    ]) {
      const r = schema.safeParse({ ...record, platform, entity });
      expect(r.success).toBe(false);
      expect(r.error?.issues).toEqual([
        expect.objectContaining({
          path: ['platform'],
          message: `no registered connector serves ${platform} ${entity}`,
        }),
      ]);
    }
  });

  it('should accept only registered ids when the platform and entity schemas parse', () => {
    expect(SOURCE_REGISTRY.platformSchema.parse('jushuitan')).toBe('jushuitan');
    expect(SOURCE_REGISTRY.platformSchema.safeParse('taobao').success).toBe(
      false,
    );
    expect(SOURCE_REGISTRY.entitySchema.parse('sales-channel')).toBe(
      'sales-channel',
    );
    expect(SOURCE_REGISTRY.entitySchema.safeParse('refund').success).toBe(
      false,
    );
  });
});
