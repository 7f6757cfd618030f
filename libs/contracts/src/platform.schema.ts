import { z } from 'zod';

/**
 * Every source stream Kingbridge pulls, one line each, and the one list of source platforms and entities (their
 * enums below are read from it): the platform's wire name, the entity, the domain of its raw topic
 * (`<domain>.<platform>.<entity>.raw.v1`) and the API that lists it, which a plan's `source.api`, `source.method`
 * and `source.idField` must name. A new platform (or entity) is a new line here
 * (docs/connectors/adding-a-platform.md).
 */
export const SOURCE_STREAMS = [
  {
    platform: 'jackyun',
    entity: 'sales-order',
    domain: 'oms',
    api: 'jackyun.tradenotsensitiveinfos.list.get',
    method: 'POST',
    idField: 'tradeId',
  },
  {
    platform: 'jackyun',
    entity: 'sales-channel',
    domain: 'oms',
    api: 'erp.sales.get',
    method: 'POST',
    idField: 'channelId',
  },
  {
    platform: 'wdt',
    entity: 'stockout-order',
    domain: 'oms',
    api: 'wdt.stockout.order.query.trade',
    method: 'POST',
    idField: 'stockout_id',
  },
  {
    platform: 'jushuitan',
    entity: 'inventory-count',
    domain: 'oms',
    api: '/open/inventory/count/query',
    method: 'POST',
    idField: 'io_id',
  },
  {
    platform: 'xiaoman',
    entity: 'sales-order',
    domain: 'crm',
    api: '/v1/invoices/order/list',
    method: 'GET',
    idField: 'order_id',
  },
] as const satisfies readonly SourceStreamSpec[];

/** One line of `SOURCE_STREAMS`. */
export interface SourceStreamSpec {
  readonly platform: string;
  readonly entity: string;
  readonly domain: 'oms' | 'crm';
  readonly api: string;
  readonly method: 'GET' | 'POST';
  readonly idField: string;
}

/** The distinct values, in their first order, as the non-empty tuple `z.enum` takes. */
function distinct<T extends string>(values: readonly T[]): [T, ...T[]] {
  const [first, ...rest] = [...new Set(values)];
  if (first === undefined) throw new Error('SOURCE_STREAMS is empty');
  return [first, ...rest];
}

/** Source platforms Kingbridge pulls from (those of `SOURCE_STREAMS`). */
export const sourcePlatformSchema = z.enum(
  distinct(SOURCE_STREAMS.map((s) => s.platform)),
);
export type SourcePlatform = z.infer<typeof sourcePlatformSchema>;

/** Kingdee products Kingbridge writes to. */
export const kingdeeTargetSchema = z.enum(['k3cloud', 'jdy', 'k3wise']);
export type KingdeeTarget = z.infer<typeof kingdeeTargetSchema>;

/** Source entities (those of `SOURCE_STREAMS`), one raw topic each (platform + entity). */
export const sourceEntitySchema = z.enum(
  distinct(SOURCE_STREAMS.map((s) => s.entity)),
);
export type SourceEntity = z.infer<typeof sourceEntitySchema>;
