import type { WindowState } from '@kingbridge/transform-engine';
import type { DataSource, QueryRunner } from 'typeorm';
import type { MergeTimings } from '../flows/load-flows';

/** Column `status`: `dead_lettered` = emission failed and went to the DLQ (state says emitted). */
export type WindowRowStatus = 'open' | 'emitted' | 'dead_lettered';

export interface WindowChanges {
  readonly upserted: readonly WindowState[];
  readonly deleted: readonly string[];
  readonly watermark: number | null;
}

export interface OpenWindowStats {
  readonly openWindows: number;
  readonly openRecords: number;
  readonly watermark: number | null;
}

const toNumber = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * SQL over `transform.merge_window` / `transform.merge_watermark`: the
 * authority for window state shared by every transform instance. Every
 * method takes the caller's transaction (QueryRunner) except the read-only
 * stats and the retention cleanup.
 */
export class MergeStateRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Creates the flow's watermark row when missing, locks it, returns the watermark. */
  async lockWatermark(tx: QueryRunner, flow: string): Promise<number | null> {
    await tx.query('INSERT INTO transform.merge_watermark (flow) VALUES ($1) ON CONFLICT (flow) DO NOTHING', [flow]);
    const rows = (await tx.query('SELECT watermark_ms FROM transform.merge_watermark WHERE flow = $1 FOR UPDATE', [flow])) as Array<{
      watermark_ms: string | null;
    }>;
    return toNumber(rows[0]?.watermark_ms);
  }

  async readWatermark(flow: string, tx?: QueryRunner): Promise<number | null> {
    const rows = (await (tx ?? this.dataSource).query('SELECT watermark_ms FROM transform.merge_watermark WHERE flow = $1', [flow])) as Array<{
      watermark_ms: string | null;
    }>;
    return toNumber(rows[0]?.watermark_ms);
  }

  /** Locks (waiting) and reads the windows among `keys` that exist, in key order (one lock order everywhere). */
  async lockWindows(tx: QueryRunner, flow: string, keys: readonly string[]): Promise<WindowState[]> {
    if (keys.length === 0) return [];
    const rows = (await tx.query(
      'SELECT state FROM transform.merge_window WHERE flow = $1 AND window_key = ANY($2) ORDER BY window_key FOR UPDATE',
      [flow, [...keys]],
    )) as Array<{ state: WindowState }>;
    return rows.map((r) => r.state);
  }

  /** Keys of the open windows already holding any of these source ids (an update may move a record). */
  async openWindowsHolding(tx: QueryRunner, flow: string, sourceIds: readonly string[]): Promise<string[]> {
    if (sourceIds.length === 0) return [];
    const rows = (await tx.query(
      `SELECT window_key FROM transform.merge_window WHERE flow = $1 AND status = 'open' AND source_ids && $2::text[]`,
      [flow, [...sourceIds]],
    )) as Array<{ window_key: string }>;
    return rows.map((r) => r.window_key);
  }

  /** Like lockWindows but never waits: rows locked by someone else are left out. */
  async tryLockWindows(tx: QueryRunner, flow: string, keys: readonly string[]): Promise<WindowState[]> {
    if (keys.length === 0) return [];
    const rows = (await tx.query(
      'SELECT state FROM transform.merge_window WHERE flow = $1 AND window_key = ANY($2) ORDER BY window_key FOR UPDATE SKIP LOCKED',
      [flow, [...keys]],
    )) as Array<{ state: WindowState }>;
    return rows.map((r) => r.state);
  }

  async existingKeys(tx: QueryRunner, flow: string, keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = (await tx.query('SELECT window_key FROM transform.merge_window WHERE flow = $1 AND window_key = ANY($2)', [
      flow,
      [...keys],
    ])) as Array<{ window_key: string }>;
    return new Set(rows.map((r) => r.window_key));
  }

  /**
   * Open windows ready to emit, locked without waiting (another instance's
   * emitter or a batch holding one simply makes us skip it this tick):
   * watermark past end + grace, or wall clock past end + grace and idle.
   */
  async lockDueWindows(
    tx: QueryRunner,
    flow: string,
    timings: MergeTimings,
    watermark: number | null,
    nowMs: number,
    limit: number,
  ): Promise<WindowState[]> {
    const rows = (await tx.query(
      `SELECT state FROM transform.merge_window
        WHERE flow = $1 AND status = 'open'
          AND (($3::bigint IS NOT NULL AND end_ms + $2 <= $3::bigint)
               OR ($4::bigint >= end_ms + $2 AND $4::bigint - last_seen_ms >= $5))
        ORDER BY window_key
        LIMIT $6
        FOR UPDATE SKIP LOCKED`,
      [flow, timings.graceMs, watermark, nowMs, timings.idleTimeoutMs, limit],
    )) as Array<{ state: WindowState }>;
    return rows.map((r) => r.state);
  }

  /** Writes back what the merger changed; `status` overrides the column status of some windows. */
  async writeChanges(
    tx: QueryRunner,
    flow: string,
    changes: WindowChanges,
    status: ReadonlyMap<string, WindowRowStatus> = new Map(),
    writeWatermark = true,
  ): Promise<void> {
    if (changes.deleted.length > 0) {
      await tx.query('DELETE FROM transform.merge_window WHERE flow = $1 AND window_key = ANY($2)', [flow, [...changes.deleted]]);
    }
    if (changes.upserted.length > 0) {
      const w = changes.upserted;
      await tx.query(
        `INSERT INTO transform.merge_window
           (flow, window_key, base_key, status, start_ms, end_ms, last_seen_ms, record_count, state, source_ids, updated_at)
         SELECT $1, k, b, s, st, e, ls, rc, js,
                CASE WHEN s = 'open' THEN ARRAY(SELECT jsonb_object_keys(js->'records')) ELSE '{}'::text[] END, now()
           FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::int[], $9::jsonb[])
             AS t(k, b, s, st, e, ls, rc, js)
         ON CONFLICT (flow, window_key) DO UPDATE SET
           base_key = EXCLUDED.base_key, status = EXCLUDED.status, start_ms = EXCLUDED.start_ms,
           end_ms = EXCLUDED.end_ms, last_seen_ms = EXCLUDED.last_seen_ms, record_count = EXCLUDED.record_count,
           state = EXCLUDED.state, source_ids = EXCLUDED.source_ids, updated_at = now()`,
        [
          flow,
          w.map((x) => x.key),
          w.map((x) => x.baseKey),
          w.map((x) => status.get(x.key) ?? x.status),
          w.map((x) => x.start),
          w.map((x) => x.end),
          w.map((x) => x.lastSeenAt),
          w.map((x) => Object.keys(x.records).length),
          w.map((x) => JSON.stringify(x)),
        ],
      );
    }
    if (writeWatermark && changes.watermark !== null) {
      await tx.query(
        `UPDATE transform.merge_watermark
            SET watermark_ms = GREATEST(COALESCE(watermark_ms, $2::bigint), $2::bigint), updated_at = now()
          WHERE flow = $1`,
        [flow, changes.watermark],
      );
    }
  }

  /** Deletes emitted windows whose dedup retention (event time past end + grace) is over. Returns how many. */
  async deleteExpired(flow: string, timings: MergeTimings, watermark: number): Promise<number> {
    const rows = (await this.dataSource.query(
      `DELETE FROM transform.merge_window
        WHERE flow = $1 AND status <> 'open' AND end_ms + $2 + $3 <= $4
        RETURNING window_key`,
      [flow, timings.graceMs, timings.dedupRetentionMs, watermark],
    )) as unknown[];
    return Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : rows.length;
  }

  async openStats(flow: string): Promise<OpenWindowStats> {
    const rows = (await this.dataSource.query(
      `SELECT count(*)::int AS windows, COALESCE(sum(record_count), 0)::int AS records,
              (SELECT watermark_ms FROM transform.merge_watermark WHERE flow = $1) AS watermark
         FROM transform.merge_window WHERE flow = $1 AND status = 'open'`,
      [flow],
    )) as Array<{ windows: number; records: number; watermark: string | null }>;
    const r = rows[0];
    return { openWindows: r?.windows ?? 0, openRecords: r?.records ?? 0, watermark: toNumber(r?.watermark) };
  }

  /** Runs `work` in one transaction (READ COMMITTED); rolls back when it throws. */
  async transaction<T>(work: (tx: QueryRunner) => Promise<T>): Promise<T> {
    const tx = this.dataSource.createQueryRunner();
    await tx.connect();
    try {
      await tx.startTransaction();
      try {
        const result = await work(tx);
        await tx.commitTransaction();
        return result;
      } catch (err) {
        await tx.rollbackTransaction().catch(() => undefined);
        throw err;
      }
    } finally {
      await tx.release();
    }
  }
}
