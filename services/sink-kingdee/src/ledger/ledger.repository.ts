import type { DataSource } from 'typeorm';

export type LedgerState =
  'sending' | 'ambiguous' | 'retrying' | 'written' | 'dead_lettered';

export const LEDGER_STATES: readonly LedgerState[] = [
  'sending',
  'ambiguous',
  'retrying',
  'written',
  'dead_lettered',
];

export interface LedgerEntry {
  readonly documentKey: string;
  readonly state: LedgerState;
  readonly kingdeeId: string | null;
  readonly kingdeeNumber: string | null;
  readonly attempts: number;
  readonly payloadHash: string;
  readonly lastErrorClass: string | null;
  readonly lastError: string | null;
}

export interface LedgerDocument {
  readonly documentKey: string;
  readonly flow: string;
  readonly target: string;
  readonly formId: string;
  readonly billNo: string;
  readonly payloadHash: string;
}

export type SqlRunner = Pick<DataSource, 'query'>;

interface LedgerRow {
  document_key: string;
  state: LedgerState;
  kingdee_id: string | null;
  kingdee_number: string | null;
  attempts: number;
  payload_hash: string;
  last_error_class: string | null;
  last_error: string | null;
}

/**
 * The write ledger (`sink_kingdee.ledger`): document key → state, Kingdee
 * id/number, attempts, last error, payload hash. `sending` is recorded
 * before every call, so after a crash the sink knows the outcome is unknown
 * and asks Kingdee before resending. Bulk statements only (one per batch).
 */
export class LedgerRepository {
  constructor(private readonly db: SqlRunner) {}

  async load(keys: readonly string[]): Promise<Map<string, LedgerEntry>> {
    if (keys.length === 0) return new Map();
    const rows = (await this.db.query(
      `SELECT document_key, state, kingdee_id, kingdee_number, attempts, payload_hash, last_error_class, last_error
         FROM sink_kingdee.ledger WHERE document_key = ANY($1)`,
      [keys],
    )) as LedgerRow[];
    return new Map(
      rows.map((r) => [
        r.document_key,
        {
          documentKey: r.document_key,
          state: r.state,
          kingdeeId: r.kingdee_id,
          kingdeeNumber: r.kingdee_number,
          attempts: r.attempts,
          payloadHash: r.payload_hash.trim(),
          lastErrorClass: r.last_error_class,
          lastError: r.last_error,
        },
      ]),
    );
  }

  /** Marks documents as being sent now (attempts + 1). Never downgrades a written document. Returns attempts per key. */
  async markSending(
    docs: readonly LedgerDocument[],
  ): Promise<Map<string, number>> {
    if (docs.length === 0) return new Map();
    const rows = (await this.db.query(
      `INSERT INTO sink_kingdee.ledger AS l (document_key, flow, target, form_id, bill_no, payload_hash, state, attempts, last_attempt_at)
       SELECT * , 'sending', 1, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       ON CONFLICT (document_key) DO UPDATE
         SET state = 'sending', attempts = l.attempts + 1, payload_hash = EXCLUDED.payload_hash,
             bill_no = EXCLUDED.bill_no, last_attempt_at = now(), updated_at = now()
         WHERE l.state <> 'written'
       RETURNING document_key, attempts`,
      columns(docs),
    )) as Array<{ document_key: string; attempts: number }>;
    return new Map(rows.map((r) => [r.document_key, r.attempts]));
  }

  async markWritten(
    entries: ReadonlyArray<
      LedgerDocument & { kingdeeId: string; kingdeeNumber: string }
    >,
  ): Promise<void> {
    if (entries.length === 0) return;
    await this.db.query(
      `INSERT INTO sink_kingdee.ledger AS l (document_key, flow, target, form_id, bill_no, payload_hash, state, attempts, kingdee_id, kingdee_number, written_at)
       SELECT d.k, d.f, d.t, d.fo, d.b, d.h, 'written', 0, d.id, d.num, now()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
           AS d(k, f, t, fo, b, h, id, num)
       ON CONFLICT (document_key) DO UPDATE
         SET state = 'written', kingdee_id = EXCLUDED.kingdee_id, kingdee_number = EXCLUDED.kingdee_number,
             written_at = COALESCE(l.written_at, now()), last_error_class = NULL, last_error = NULL, updated_at = now()`,
      [
        ...columns(entries),
        entries.map((e) => e.kingdeeId),
        entries.map((e) => e.kingdeeNumber),
      ],
    );
    await this.db.query(
      `UPDATE sink_kingdee.dead_letter SET resolved_at = now() WHERE document_key = ANY($1) AND resolved_at IS NULL`,
      [entries.map((e) => e.documentKey)],
    );
  }

  /** Records a failed attempt (`ambiguous`, `retrying` or `dead_lettered`) with Kingdee's message. */
  async markFailed(
    entries: ReadonlyArray<
      LedgerDocument & {
        state: Exclude<LedgerState, 'written' | 'sending'>;
        errorClass: string;
        error: string;
      }
    >,
  ): Promise<void> {
    if (entries.length === 0) return;
    await this.db.query(
      `INSERT INTO sink_kingdee.ledger AS l (document_key, flow, target, form_id, bill_no, payload_hash, state, attempts, last_error_class, last_error)
       SELECT d.k, d.f, d.t, d.fo, d.b, d.h, d.s, 0, d.c, d.e
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
           AS d(k, f, t, fo, b, h, s, c, e)
       ON CONFLICT (document_key) DO UPDATE
         SET state = EXCLUDED.state, last_error_class = EXCLUDED.last_error_class, last_error = EXCLUDED.last_error, updated_at = now()
         WHERE l.state <> 'written'`,
      [
        ...columns(entries),
        entries.map((e) => e.state),
        entries.map((e) => e.errorClass),
        entries.map((e) => e.error),
      ],
    );
  }

  async countByState(): Promise<Map<LedgerState, number>> {
    const rows = (await this.db.query(
      `SELECT state, count(*)::int AS n FROM sink_kingdee.ledger GROUP BY state`,
    )) as Array<{ state: LedgerState; n: number }>;
    return new Map(rows.map((r) => [r.state, r.n]));
  }
}

function columns(docs: readonly LedgerDocument[]): string[][] {
  return [
    docs.map((d) => d.documentKey),
    docs.map((d) => d.flow),
    docs.map((d) => d.target),
    docs.map((d) => d.formId),
    docs.map((d) => d.billNo),
    docs.map((d) => d.payloadHash),
  ];
}
