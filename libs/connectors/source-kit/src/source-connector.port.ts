import type { SourceEntity, SourcePlatform } from '@kingbridge/contracts';

/**
 * The source client port: what the runtime (`@kingbridge/source-runtime`) needs from a platform client. It lives
 * in the kit, so the connector libs (`@kingbridge/source-<platform>`) implement it with the kit's types, and the
 * runtime re-exports it.
 */

/** One record as the platform returned it, plus the two facts the runtime needs. */
export interface SourceRecord {
  /** The platform's id of the record (big ids kept as strings). */
  readonly sourceId: string;
  /** The record's modified time at the source, ISO-8601 with offset. */
  readonly modifiedAt: string;
  /** The record exactly as returned (not renamed, not converted). */
  readonly payload: Record<string, unknown>;
}

/** Position of a page: `index` is 0-based and logical; `cursor` is the platform's scroll token. */
export interface PageToken {
  readonly index: number;
  readonly cursor?: string;
}

export type QueryParamValue =
  string | number | boolean | readonly (string | number)[];

/** One page request for a time window `[from, to]` (inclusive, second precision). */
export interface PageQuery {
  readonly entity: SourceEntity;
  readonly from: Date;
  readonly to: Date;
  /** Source-side filters and query params from the plan, sent as the platform expects them. */
  readonly params: Readonly<Record<string, QueryParamValue>>;
  /**
   * Names of the window's start/end params when the plan picks them (e.g.
   * Jackyun `startConsignTime`/`endConsignTime`); each client has defaults.
   */
  readonly timeParams?: { readonly from: string; readonly to: string };
  /** Page size; the connector clamps it to the platform maximum. */
  readonly pageSize?: number;
  /** `null` for the first page. */
  readonly page: PageToken | null;
  /** Every record, whatever its time (no time filter sent); only for entities `supportsFullScan` names. */
  readonly fullScan?: boolean;
}

export interface SourcePage {
  readonly records: readonly SourceRecord[];
  /** Total rows of the window as reported with this page (undefined when not reported). */
  readonly total: number | undefined;
  /** Next page, or null when this was the last one. */
  readonly next: PageToken | null;
  readonly requestId: string | undefined;
}

/** Outcome label of one HTTP request (metric `outcome`). */
export type RequestOutcome =
  'ok' | 'throttled' | 'error' | 'invalid_response' | 'auth_error';

/**
 * Hooks every connector client calls around each HTTP request, so rate
 * limiting and request metrics live in the runtime, once.
 */
export interface RequestHooks {
  /** Awaited before each HTTP request (the rate limiter); returns a ticket. Must honour `signal`. */
  beforeRequest?(endpoint: string, signal?: AbortSignal): Promise<unknown>;
  /** Called after each HTTP request (also a failed one) with its outcome, duration and the ticket. */
  afterRequest?(
    endpoint: string,
    outcome: RequestOutcome,
    seconds: number,
    ticket: unknown,
  ): void;
  /**
   * Runs one sub-request of a page with the runtime's retry policy (a page
   * made of several requests, e.g. OKKI list + order info, retries each
   * request, not the whole page).
   */
  retry?<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

export interface SourceConnectorClient {
  readonly platform: SourcePlatform;
  readonly entities: readonly SourceEntity[];
  /** Longest window one query may span for `entity`, in ms. */
  maxWindowMs(entity: SourceEntity): number;
  /** True when `fetchPage` can list every record of `entity` without a time filter (master data). */
  supportsFullScan?(entity: SourceEntity): boolean;
  /** Fetches one page. Throws a PipelineError (see the error contract in README). */
  fetchPage(query: PageQuery, signal?: AbortSignal): Promise<SourcePage>;
}
