/**
 * What the running pipeline says about records and documents that are not in Kingdee yet: where each one is, so
 * reconciliation reports it as in flight rather than missing. Implementation: `PostgresPipelineState` (the
 * connector's checkpoints and record state, the transform's open merge windows, the sink's ledger).
 */
export interface PipelineState {
  /** The stream's checkpoint (epoch ms): records of the stream's query after it are not fetched yet. */
  checkpointMs(streamId: string): Promise<number | undefined>;
  /** What the connector published per source id: the newest modified time and when. */
  fetched(
    streamId: string,
    sourceIds: readonly string[],
  ): Promise<Map<string, FetchedRecord>>;
  /** Source ids of `flow` held by a merge window that is still open. */
  inOpenWindows(
    flow: string,
    sourceIds: readonly string[],
  ): Promise<Set<string>>;
  /** The sink ledger rows of `flow` (one per document key). */
  ledger(flow: string): Promise<Map<string, LedgerEntry>>;
  /** Bill numbers (upper case) the sink wrote for other flows to `formId`: not this flow's documents. */
  otherFlowsBills(flow: string, formId: string): Promise<Set<string>>;
}

export interface FetchedRecord {
  /** Content hash of the newest version published (`contentHash(payload)`, as the connector dedups). */
  readonly contentHash: string;
  readonly modifiedAtMs: number;
  readonly publishedAtMs: number;
}

export interface LedgerEntry {
  readonly documentKey: string;
  readonly billNo: string;
  readonly state:
    'sending' | 'ambiguous' | 'retrying' | 'written' | 'dead_lettered';
  readonly lastErrorClass: string | undefined;
  readonly lastError: string | undefined;
  readonly updatedAtMs: number;
}

/** Why an expected document is not in Kingdee yet but on its way. */
export type InFlightReason =
  | 'not fetched yet'
  | 'in an open merge window'
  | 'published, not transformed yet'
  | 'being written';

/** `query(sql, params)` of any Postgres client (pg, TypeORM DataSource). */
export type SqlQuery = (sql: string, params?: unknown[]) => Promise<unknown[]>;

const ms = (v: unknown): number =>
  v instanceof Date ? v.getTime() : Date.parse(String(v));

/** `PipelineState` read from the pipeline's own Postgres tables (every query read-only). */
export class PostgresPipelineState implements PipelineState {
  constructor(private readonly query: SqlQuery) {}

  async checkpointMs(streamId: string): Promise<number | undefined> {
    const rows = (await this.query(
      'SELECT checkpoint_at FROM source_connector.stream_checkpoint WHERE stream_id = $1',
      [streamId],
    )) as { checkpoint_at: unknown }[];
    const at = rows[0] === undefined ? undefined : ms(rows[0].checkpoint_at);
    return at === undefined || at <= 0 ? undefined : at;
  }

  async fetched(
    streamId: string,
    sourceIds: readonly string[],
  ): Promise<Map<string, FetchedRecord>> {
    const out = new Map<string, FetchedRecord>();
    if (sourceIds.length === 0) return out;
    const rows = (await this.query(
      'SELECT source_id, content_hash, modified_at, published_at FROM source_connector.record_state WHERE stream_id = $1 AND source_id = ANY($2)',
      [streamId, [...sourceIds]],
    )) as {
      source_id: string;
      content_hash: string;
      modified_at: unknown;
      published_at: unknown;
    }[];
    for (const r of rows)
      out.set(r.source_id, {
        contentHash: r.content_hash.trim(),
        modifiedAtMs: ms(r.modified_at),
        publishedAtMs: ms(r.published_at),
      });
    return out;
  }

  async inOpenWindows(
    flow: string,
    sourceIds: readonly string[],
  ): Promise<Set<string>> {
    if (sourceIds.length === 0) return new Set();
    const rows = (await this.query(
      `SELECT r.source_id FROM transform.merge_record r
         JOIN transform.merge_window w ON w.flow = r.flow AND w.window_key = r.window_key
        WHERE r.flow = $1 AND w.status = 'open' AND r.source_id = ANY($2)`,
      [flow, [...sourceIds]],
    )) as { source_id: string }[];
    return new Set(rows.map((r) => r.source_id));
  }

  async ledger(flow: string): Promise<Map<string, LedgerEntry>> {
    const rows = (await this.query(
      `SELECT document_key, bill_no, state, last_error_class, last_error, COALESCE(last_attempt_at, first_seen_at) AS at
         FROM sink_kingdee.ledger WHERE flow = $1`,
      [flow],
    )) as {
      document_key: string;
      bill_no: string;
      state: LedgerEntry['state'];
      last_error_class: string | null;
      last_error: string | null;
      at: unknown;
    }[];
    return new Map(
      rows.map((r) => [
        r.document_key,
        {
          documentKey: r.document_key,
          billNo: r.bill_no,
          state: r.state,
          lastErrorClass: r.last_error_class ?? undefined,
          lastError: r.last_error ?? undefined,
          updatedAtMs: ms(r.at),
        },
      ]),
    );
  }

  async otherFlowsBills(flow: string, formId: string): Promise<Set<string>> {
    const rows = (await this.query(
      'SELECT DISTINCT upper(bill_no) AS bill FROM sink_kingdee.ledger WHERE flow <> $1 AND form_id = $2',
      [flow, formId],
    )) as { bill: string }[];
    return new Set(rows.map((r) => r.bill));
  }
}
