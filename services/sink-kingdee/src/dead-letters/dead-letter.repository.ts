import type { SqlRunner } from '../ledger/ledger.repository';

export interface DeadLetterRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  /** Original value (UTF-8 JSON text) so a replay re-publishes exactly what failed. */
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly documentKey: string | null;
  readonly flow: string | null;
  readonly target: string | null;
  readonly formId: string | null;
  readonly billNo: string | null;
  readonly sourceIds: readonly string[];
  readonly errorClass: string;
  readonly errorMessage: string;
  readonly fieldPath: string | null;
  readonly attempts: number;
  readonly firstFailedAt: string;
  /** Extra facts, e.g. both versions and the diff of a `changed_after_write` document. */
  readonly details?: unknown;
}

export interface StoredDeadLetter extends DeadLetterRecord {
  readonly id: string;
  readonly deadLetteredAt: string;
  readonly replayedAt: string | null;
  readonly replayCount: number;
  readonly resolvedAt: string | null;
}

/** Filters of `dlq list` / `dlq replay`. */
export interface DeadLetterFilter {
  readonly ids?: readonly string[];
  readonly flow?: string;
  readonly errorClass?: string;
  readonly key?: string;
  /** Dead letters whose document was built from this source record id. */
  readonly sourceId?: string;
  readonly since?: Date;
  readonly until?: Date;
  /** `open` (default): not replayed and not resolved; `all`: everything. */
  readonly status?: 'open' | 'replayed' | 'resolved' | 'all';
  readonly limit?: number;
}

interface Row {
  id: string;
  topic: string;
  partition: number;
  message_offset: string;
  message_key: string | null;
  message_value: string | null;
  headers: Record<string, string>;
  document_key: string | null;
  flow: string | null;
  target: string | null;
  form_id: string | null;
  bill_no: string | null;
  source_ids: string[];
  error_class: string;
  error_message: string;
  field_path: string | null;
  attempts: number;
  first_failed_at: Date;
  details: unknown;
  dead_lettered_at: Date;
  replayed_at: Date | null;
  replay_count: number;
  resolved_at: Date | null;
}

/** `sink_kingdee.dead_letter`: every dead letter of the sink, queryable and replayable. */
export class DeadLetterRepository {
  constructor(private readonly db: SqlRunner) {}

  /** Idempotent on (topic, partition, offset): a redelivered failure updates the same row. */
  async save(records: readonly DeadLetterRecord[]): Promise<void> {
    for (const r of records) {
      await this.db.query(
        `INSERT INTO sink_kingdee.dead_letter
           (topic, partition, message_offset, message_key, message_value, headers, document_key, flow, target, form_id, bill_no,
            source_ids, error_class, error_message, field_path, attempts, first_failed_at, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
         ON CONFLICT (topic, partition, message_offset) DO UPDATE
           SET error_class = EXCLUDED.error_class, error_message = EXCLUDED.error_message, field_path = EXCLUDED.field_path,
               attempts = EXCLUDED.attempts, dead_lettered_at = now(), details = EXCLUDED.details`,
        [
          r.topic,
          r.partition,
          r.offset,
          r.key,
          r.value,
          JSON.stringify(r.headers),
          r.documentKey,
          r.flow,
          r.target,
          r.formId,
          r.billNo,
          JSON.stringify(r.sourceIds),
          r.errorClass,
          r.errorMessage,
          r.fieldPath,
          r.attempts,
          r.firstFailedAt,
          r.details === undefined || r.details === null
            ? null
            : JSON.stringify(r.details),
        ],
      );
    }
  }

  async list(filter: DeadLetterFilter = {}): Promise<StoredDeadLetter[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown): void => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.ids && filter.ids.length > 0)
      add('id = ANY(?::bigint[])', filter.ids);
    if (filter.flow) add('flow = ?', filter.flow);
    if (filter.errorClass) add('error_class = ?', filter.errorClass);
    if (filter.key) add('document_key = ?', filter.key);
    if (filter.sourceId)
      add('source_ids @> ?::jsonb', JSON.stringify([filter.sourceId]));
    if (filter.since) add('dead_lettered_at >= ?', filter.since);
    if (filter.until) add('dead_lettered_at < ?', filter.until);
    switch (filter.status ?? 'open') {
      case 'open':
        where.push('replayed_at IS NULL AND resolved_at IS NULL');
        break;
      case 'replayed':
        where.push('replayed_at IS NOT NULL');
        break;
      case 'resolved':
        where.push('resolved_at IS NOT NULL');
        break;
      case 'all':
        break;
    }
    params.push(filter.limit ?? 1000);
    const rows = (await this.db.query(
      `SELECT * FROM sink_kingdee.dead_letter ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id LIMIT $${params.length}`,
      params,
    )) as Row[];
    return rows.map(toStored);
  }

  async markReplayed(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(
      `UPDATE sink_kingdee.dead_letter SET replayed_at = now(), replay_count = replay_count + 1 WHERE id = ANY($1::bigint[])`,
      [ids],
    );
  }

  /** Open dead letters per flow (the `kingbridge_sink_dead_letters` gauge). */
  async countOpenByFlow(): Promise<Map<string, number>> {
    const rows = (await this.db.query(
      `SELECT COALESCE(flow, 'unknown') AS flow, count(*)::int AS n FROM sink_kingdee.dead_letter
        WHERE replayed_at IS NULL AND resolved_at IS NULL GROUP BY 1`,
    )) as Array<{ flow: string; n: number }>;
    return new Map(rows.map((r) => [r.flow, r.n]));
  }
}

function toStored(r: Row): StoredDeadLetter {
  return {
    id: String(r.id),
    topic: r.topic,
    partition: r.partition,
    offset: r.message_offset,
    key: r.message_key,
    value: r.message_value,
    headers: r.headers,
    documentKey: r.document_key,
    flow: r.flow,
    target: r.target,
    formId: r.form_id,
    billNo: r.bill_no,
    sourceIds: r.source_ids,
    errorClass: r.error_class,
    errorMessage: r.error_message,
    fieldPath: r.field_path,
    attempts: r.attempts,
    firstFailedAt: r.first_failed_at.toISOString(),
    details: r.details ?? null,
    deadLetteredAt: r.dead_lettered_at.toISOString(),
    replayedAt: r.replayed_at?.toISOString() ?? null,
    replayCount: r.replay_count,
    resolvedAt: r.resolved_at?.toISOString() ?? null,
  };
}
