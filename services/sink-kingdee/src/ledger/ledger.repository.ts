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
  /** A previous attempt may have reached Kingdee and no lookup has settled it since: verify before any send. */
  readonly unverified: boolean;
  /** Milliseconds left of the in-flight lease of the last attempt (0 = none): nobody verifies or sends before. */
  readonly leaseLeftMs: number;
}

/** Who sends, and how long an attempt stays in flight (request timeout + server grace). */
export interface LedgerFence {
  /** Unique per sink instance. */
  readonly owner: string;
  /** Lease taken with `sending` and renewed while the request waits or runs. */
  readonly leaseMs: number;
  /** After an ambiguous failure: how long Kingdee may still be finishing the write. */
  readonly graceMs: number;
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

/** A failed attempt as `markFailed` records it. */
export type FailedEntry = LedgerDocument & {
  state: Exclude<LedgerState, 'written' | 'sending'>;
  errorClass: string;
  error: string;
  /**
   * After a send: true = the write may have happened (keeps it unverified and
   * holds the lease: the claim's, at least the grace from now; an aborted call
   * may still be carried out by Kingdee), false = Kingdee refused it for sure
   * (clears both).
   * Omitted (a failed lookup, a dead letter): both stay as they are.
   */
  mayHaveWritten?: boolean;
};

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
    // Each row is read as its entry (camelCase aliases; the char(64) hash without padding).
    const entries = (await this.db.query(
      `SELECT document_key AS "documentKey", state, kingdee_id AS "kingdeeId", kingdee_number AS "kingdeeNumber", attempts,
              btrim(payload_hash) AS "payloadHash", last_error_class AS "lastErrorClass", last_error AS "lastError", unverified,
              GREATEST(0, COALESCE(ceil(extract(epoch FROM lease_until - now()) * 1000), 0))::int AS "leaseLeftMs"
         FROM sink_kingdee.ledger WHERE document_key = ANY($1)`,
      [keys],
    )) as LedgerEntry[];
    return new Map(entries.map((e) => [e.documentKey, e]));
  }

  /**
   * Claims documents for sending now (attempts + 1, unverified, a lease for
   * `fence.owner`). Never claims a written document, nor one whose lease
   * (another attempt in flight, here or at another sink instance) is still
   * running: the fence against two owners sending at once. Returns attempts
   * per claimed key.
   */
  async markSending(
    docs: readonly LedgerDocument[],
    fence: Pick<LedgerFence, 'owner' | 'leaseMs'>,
  ): Promise<Map<string, number>> {
    if (docs.length === 0) return new Map();
    const rows = (await this.db.query(
      `INSERT INTO sink_kingdee.ledger AS l (document_key, flow, target, form_id, bill_no, payload_hash, state, attempts, last_attempt_at,
                                            unverified, owner, lease_until)
       SELECT d.*, 'sending', 1, now(), true, $7, now() + $8::int * interval '1 millisecond'
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS d
       ON CONFLICT (document_key) DO UPDATE
         SET state = 'sending', attempts = l.attempts + 1, payload_hash = EXCLUDED.payload_hash,
             bill_no = EXCLUDED.bill_no, last_attempt_at = now(), updated_at = now(),
             unverified = true, owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
         WHERE l.state <> 'written' AND (l.lease_until IS NULL OR l.lease_until <= now())
       RETURNING document_key, attempts`,
      [...columns(docs), fence.owner, Math.ceil(fence.leaseMs)],
    )) as Array<{ document_key: string; attempts: number }>;
    return new Map(rows.map((r) => [r.document_key, r.attempts]));
  }

  /** Extends the lease of documents this owner is still sending (the request waits in the scheduler or runs). */
  async renewLeases(
    keys: readonly string[],
    fence: Pick<LedgerFence, 'owner' | 'leaseMs'>,
  ): Promise<void> {
    if (keys.length === 0) return;
    await this.db.query(
      `UPDATE sink_kingdee.ledger SET lease_until = now() + $3::int * interval '1 millisecond'
        WHERE document_key = ANY($1) AND owner = $2 AND state = 'sending'`,
      [keys, fence.owner, Math.ceil(fence.leaseMs)],
    );
  }

  /**
   * Records documents as written, with the payload Kingdee now holds (`payload`, shown when it changes later),
   * and resolves their open dead letters: one statement, the batch as one JSON parameter (no per-element
   * escaping of text arrays, no second round trip).
   */
  async markWritten(
    entries: ReadonlyArray<
      LedgerDocument & {
        kingdeeId: string;
        kingdeeNumber: string;
        payload?: unknown;
      }
    >,
  ): Promise<void> {
    if (entries.length === 0) return;
    const rows = entries.map((e) => ({
      k: e.documentKey,
      f: e.flow,
      t: e.target,
      fo: e.formId,
      b: e.billNo,
      h: e.payloadHash,
      id: e.kingdeeId,
      num: e.kingdeeNumber,
      p: e.payload === undefined ? null : e.payload,
    }));
    await this.db.query(
      `WITH d AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS d(k text, f text, t text, fo text, b text, h text, id text, num text, p jsonb)
       ), w AS (
         INSERT INTO sink_kingdee.ledger AS l (document_key, flow, target, form_id, bill_no, payload_hash, state, attempts, kingdee_id, kingdee_number, written_at, written_payload)
         SELECT d.k, d.f, d.t, d.fo, d.b, d.h, 'written', 0, d.id, d.num, now(), d.p FROM d
         ON CONFLICT (document_key) DO UPDATE
           SET state = 'written', kingdee_id = EXCLUDED.kingdee_id, kingdee_number = EXCLUDED.kingdee_number,
               payload_hash = CASE WHEN l.state = 'written' THEN l.payload_hash ELSE EXCLUDED.payload_hash END,
               written_payload = CASE WHEN l.state = 'written' THEN l.written_payload ELSE EXCLUDED.written_payload END,
               written_at = COALESCE(l.written_at, now()), last_error_class = NULL, last_error = NULL, updated_at = now(),
               unverified = false, lease_until = NULL
       )
       UPDATE sink_kingdee.dead_letter SET resolved_at = now()
        WHERE document_key IN (SELECT k FROM d) AND resolved_at IS NULL`,
      [JSON.stringify(rows)],
    );
  }

  /**
   * Records a failed attempt (`ambiguous`, `retrying` or `dead_lettered`)
   * with Kingdee's message. A definite refusal after a send (`mayHaveWritten`
   * false) only applies to this owner's own claim, so a late answer of an old
   * owner never clears what a newer attempt left unverified.
   */
  async markFailed(
    entries: readonly FailedEntry[],
    fence: Pick<LedgerFence, 'owner' | 'graceMs'> = { owner: '', graceMs: 0 },
  ): Promise<void> {
    if (entries.length === 0) return;
    const may = entries.map((e) =>
      e.mayHaveWritten === undefined ? null : e.mayHaveWritten,
    );
    const params = [
      ...columns(entries),
      entries.map((e) => e.state),
      entries.map((e) => e.errorClass),
      entries.map((e) => e.error),
      may,
    ];
    const rows = `unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[])
           AS d(k, f, t, fo, b, h, s, c, e, m)`;
    // A document failing before it was ever claimed (schema, dead letter of a new key).
    await this.db.query(
      `INSERT INTO sink_kingdee.ledger (document_key, flow, target, form_id, bill_no, payload_hash, state, attempts, last_error_class, last_error, unverified)
       SELECT d.k, d.f, d.t, d.fo, d.b, d.h, d.s, 0, d.c, d.e, COALESCE(d.m, false) FROM ${rows}
       ON CONFLICT (document_key) DO NOTHING`,
      params,
    );
    await this.db.query(
      `UPDATE sink_kingdee.ledger AS l
          SET state = d.s, last_error_class = d.c, last_error = d.e, updated_at = now(),
              unverified = COALESCE(d.m, l.unverified),
              -- May have written: no one looks before the call could have ended (the claim's lease) plus the grace.
              lease_until = CASE d.m WHEN true THEN GREATEST(l.lease_until, now() + $12::int * interval '1 millisecond')
                                     WHEN false THEN NULL ELSE l.lease_until END
         FROM ${rows}
        WHERE l.document_key = d.k AND l.state <> 'written'
          AND (d.m IS DISTINCT FROM false OR l.owner = $11)`,
      [...params, fence.owner, Math.ceil(fence.graceMs)],
    );
  }

  /** A written document updated in place (a change after write applied by an operator): its new payload. */
  async markRewritten(
    entries: ReadonlyArray<
      LedgerDocument & {
        kingdeeId: string;
        kingdeeNumber: string;
        payload: unknown;
      }
    >,
  ): Promise<void> {
    for (const e of entries) {
      await this.db.query(
        `UPDATE sink_kingdee.ledger SET payload_hash = $2, written_payload = $3::jsonb, kingdee_id = $4, kingdee_number = $5,
                attempts = attempts + 1, updated_at = now()
          WHERE document_key = $1 AND state = 'written'`,
        [
          e.documentKey,
          e.payloadHash,
          JSON.stringify(e.payload),
          e.kingdeeId,
          e.kingdeeNumber,
        ],
      );
    }
    await this.db.query(
      `UPDATE sink_kingdee.dead_letter SET resolved_at = now() WHERE document_key = ANY($1) AND resolved_at IS NULL`,
      [entries.map((e) => e.documentKey)],
    );
  }

  /** Marks the open dead letters of `keys` resolved (an operator acknowledged them). */
  async resolveDeadLetters(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db.query(
      `UPDATE sink_kingdee.dead_letter SET resolved_at = now() WHERE document_key = ANY($1) AND resolved_at IS NULL`,
      [keys],
    );
  }

  /** The payload each written document was written with (null when written before it was kept). */
  async writtenPayloads(
    keys: readonly string[],
  ): Promise<Map<string, unknown>> {
    if (keys.length === 0) return new Map();
    const rows = (await this.db.query(
      `SELECT document_key, written_payload FROM sink_kingdee.ledger WHERE document_key = ANY($1)`,
      [keys],
    )) as Array<{ document_key: string; written_payload: unknown }>;
    return new Map(rows.map((r) => [r.document_key, r.written_payload]));
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
