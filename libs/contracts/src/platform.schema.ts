import { z } from 'zod';

/**
 * A source platform's wire id (`jackyun`, `wdt`, …): raw records, raw topic names and plans carry it. The
 * platforms themselves, and the streams each serves, are declared by the connectors and listed by the one
 * registry, `@kingbridge/source-registry` (docs/connectors/adding-a-platform.md); the contracts only fix the
 * form, so a new platform changes nothing here.
 */
export const SOURCE_PLATFORM_ID = /^[a-z][a-z0-9]*$/;
export const sourcePlatformSchema = z
  .string()
  .regex(
    SOURCE_PLATFORM_ID,
    'a source platform id is lower-case letters and digits, e.g. wdt',
  );
export type SourcePlatform = string;

/** A source entity (`sales-order`, `stockout-order`, …): with the platform it names the raw topic. */
export const SOURCE_ENTITY_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const sourceEntitySchema = z
  .string()
  .regex(
    SOURCE_ENTITY_ID,
    'a source entity is lower-case words joined by -, e.g. sales-order',
  );
export type SourceEntity = string;

/** The domain of a raw topic (`<domain>.<platform>.<entity>.raw.v1`). */
export type SourceDomain = 'oms' | 'crm';

/** One stream a connector serves: what its raw topic is named after and the API that lists it. */
export interface SourceStreamSpec {
  readonly platform: SourcePlatform;
  readonly entity: SourceEntity;
  readonly domain: SourceDomain;
  /** The API method or path that lists it; a plan's `source.api` must name it. */
  readonly api: string;
  readonly method: 'GET' | 'POST';
  /** The record id field (the raw record's sourceId); a plan's `source.idField` must name it. */
  readonly idField: string;
}

/** Kingdee products Kingbridge writes to. */
export const kingdeeTargetSchema = z.enum(['k3cloud', 'jdy', 'k3wise']);
export type KingdeeTarget = z.infer<typeof kingdeeTargetSchema>;
