import { formatZodIssues } from '@kingbridge/contracts';
import {
  TOMBSTONE_HASH,
  WindowedMerger,
  checkContribution,
  effectiveWatermark,
  eventTimesSchema,
  type EventTimes,
  type MergeChanges,
  type MergeStateSnapshot,
  type PersistedRecord,
  type RecordChange,
  type WindowMeta,
} from '@kingbridge/transform-engine';
import type { DataSource, QueryRunner } from 'typeorm';
import type { MergeTimings } from '../flows/load-flows';

/** Column `status`: `dead_lettered` = emission failed and went to the DLQ (the merger sees it as emitted). */
export type WindowRowStatus = 'open' | 'emitted' | 'dead_lettered';

export interface OpenWindowStats {
  readonly openWindows: number;
  readonly openRecords: number;
  /** The highest event time read. */
  readonly watermark: number | null;
  readonly eventTimes: EventTimes;
}

/** A flow's `merge_watermark` row: the highest event time read and the event time per source partition. */
export interface FlowEventTime {
  readonly watermark: number | null;
  readonly eventTimes: EventTimes;
}

/** `merge_watermark.event_times` read back, validated (a row from before the column holds `{}`). */
function eventTimesOf(flow: string, value: unknown): EventTimes {
  const parsed = eventTimesSchema.safeParse(value ?? {});
  if (!parsed.success)
    throw new Error(
      `invalid merge_watermark.event_times of flow ${flow}: ${formatZodIssues(parsed.error)}`,
    );
  return parsed.data;
}

/**
 * The watermark that closes the flow's windows at `nowMs`: the minimum event time over the partitions read
 * within the idle timeout (see `effectiveWatermark` in the transform engine), else the highest read.
 */
export function flowWatermark(
  row: FlowEventTime,
  idleTimeoutMs: number,
  nowMs: number,
): number | null {
  return effectiveWatermark(
    row.eventTimes,
    row.watermark,
    idleTimeoutMs,
    nowMs,
  );
}

/** node-postgres answers UPDATE/DELETE … RETURNING through TypeORM as [rows, count]. */
function rowsOf(result: unknown[]): Array<{ window_key: string }> {
  return (Array.isArray(result[0]) ? result[0] : result) as Array<{
    window_key: string;
  }>;
}

const toNumber = (v: unknown): number | null =>
  v === null || v === undefined ? null : Number(v);

/** The arguments of `MergeStateRepository.snapshot` (and `handOverSnapshot`). */
export type SnapshotArgs = [
  tx: QueryRunner,
  flow: string,
  watermark: number | null,
  windows: readonly WindowMeta[],
  ids?: readonly string[],
  eventTimes?: EventTimes,
];

type Lock = 'wait' | 'skip';

/**
 * SQL over `transform.merge_window` (one row per window: metadata), `transform.merge_record`
 * (one row per record of a window: contribution while open, content hash once emitted) and
 * `transform.merge_watermark` (one row per flow): the authority for merge state shared by every
 * transform instance. Window rows are the lock unit. Every method except the stats and the
 * retention cleanup runs in the caller's transaction.
 */
export class MergeStateRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Creates the flow's watermark row when missing, locks it (serialises the merges of a flow across instances)
   * and returns the highest event time read with the per-partition event times.
   */
  async lockEventTime(tx: QueryRunner, flow: string): Promise<FlowEventTime> {
    await tx.query(
      'INSERT INTO transform.merge_watermark (flow) VALUES ($1) ON CONFLICT (flow) DO NOTHING',
      [flow],
    );
    return this.eventTimeRow(
      tx,
      flow,
      'SELECT watermark_ms, event_times FROM transform.merge_watermark WHERE flow = $1 FOR UPDATE',
    );
  }

  /** `lockEventTime`, the highest event time read only. */
  async lockWatermark(tx: QueryRunner, flow: string): Promise<number | null> {
    return (await this.lockEventTime(tx, flow)).watermark;
  }

  /** The flow's watermark row without a lock (the emitter, the gauges). */
  async readEventTime(flow: string, tx?: QueryRunner): Promise<FlowEventTime> {
    return this.eventTimeRow(
      tx ?? this.dataSource,
      flow,
      'SELECT watermark_ms, event_times FROM transform.merge_watermark WHERE flow = $1',
    );
  }

  /** The highest event time read (not the watermark that closes windows: see `flowWatermark`). */
  async readWatermark(flow: string, tx?: QueryRunner): Promise<number | null> {
    return (await this.readEventTime(flow, tx)).watermark;
  }

  private async eventTimeRow(
    runner: { query(sql: string, params: unknown[]): Promise<unknown> },
    flow: string,
    sql: string,
  ): Promise<FlowEventTime> {
    const rows = (await runner.query(sql, [flow])) as Array<{
      watermark_ms: string | null;
      event_times: unknown;
    }>;
    return {
      watermark: toNumber(rows[0]?.watermark_ms),
      eventTimes: eventTimesOf(flow, rows[0]?.event_times),
    };
  }

  /**
   * Locks the existing windows among `keys` in key order (one lock order everywhere);
   * `skip` never waits and leaves out rows someone else holds.
   */
  async lockWindows(
    tx: QueryRunner,
    flow: string,
    keys: readonly string[],
    lock: Lock = 'wait',
  ): Promise<WindowMeta[]> {
    return (await this.lockWindowRows(tx, flow, keys, lock)).map(
      (r) => r.state,
    );
  }

  /** `lockWindows` with each row's version (`xmin`, read with the lock: it cannot move until the transaction ends). */
  protected async lockWindowRows(
    tx: QueryRunner,
    flow: string,
    keys: readonly string[],
    lock: Lock,
  ): Promise<Array<{ state: WindowMeta; version: string }>> {
    if (keys.length === 0) return [];
    return (await tx.query(
      `SELECT state, xmin::text AS version FROM transform.merge_window WHERE flow = $1 AND window_key = ANY($2)
        ORDER BY window_key FOR UPDATE${lock === 'skip' ? ' SKIP LOCKED' : ''}`,
      [flow, [...keys]],
    )) as Array<{ state: WindowMeta; version: string }>;
  }

  /**
   * Base keys of the windows (open, emitted or failed) already holding any of these source ids: an update
   * may move a record out of a window, or change one whose document was written (a correction).
   */
  async windowsHolding(
    tx: QueryRunner,
    flow: string,
    sourceIds: readonly string[],
  ): Promise<string[]> {
    if (sourceIds.length === 0) return [];
    const rows = (await tx.query(
      `SELECT DISTINCT w.base_key FROM transform.merge_record r
         JOIN transform.merge_window w ON w.flow = r.flow AND w.window_key = r.window_key
        WHERE r.flow = $1 AND r.source_id = ANY($2)`,
      [flow, [...sourceIds]],
    )) as Array<{ base_key: string }>;
    return rows.map((r) => r.base_key);
  }

  async existingKeys(
    tx: QueryRunner,
    flow: string,
    keys: readonly string[],
  ): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = (await tx.query(
      'SELECT window_key FROM transform.merge_window WHERE flow = $1 AND window_key = ANY($2)',
      [flow, [...keys]],
    )) as Array<{ window_key: string }>;
    return new Set(rows.map((r) => r.window_key));
  }

  /**
   * A merger snapshot of these (locked) windows: every record of the open, failed and correction ones (emit
   * and the drop of an emptied window need them all); of the emitted ones only the counted records of
   * `ids` and of the records pending in the loaded corrections (what dedup, deltas and folding need).
   */
  async snapshot(...args: SnapshotArgs): Promise<MergeStateSnapshot> {
    return this.readSnapshot(args, false);
  }

  /**
   * `snapshot` for a merger restored with `{ handedOver: true }` (see `RestoreOptions` in the transform engine):
   * every contribution read from Postgres is checked here, and the record maps are the caller's to change in
   * place — through the merger whose changes it writes back with `writeChanges` in the same transaction, nothing
   * else (the caching subclass keeps them once that transaction commits).
   */
  async handOverSnapshot(...args: SnapshotArgs): Promise<MergeStateSnapshot> {
    return this.readSnapshot(args, true);
  }

  /** `snapshot` (`handOver` false) or `handOverSnapshot` (true). */
  protected async readSnapshot(
    [tx, flow, watermark, windows, ids = [], eventTimes]: SnapshotArgs,
    handOver: boolean,
  ): Promise<MergeStateSnapshot> {
    const whole = windows
      .filter((w) => w.status !== 'emitted' || w.correction)
      .map((w) => w.key);
    const emitted = windows
      .filter((w) => w.status === 'emitted' && !w.correction)
      .map((w) => w.key);
    let records: PersistedRecord[] = [];
    if (whole.length > 0 || emitted.length > 0) {
      const rows = (await tx.query(
        `SELECT window_key, source_id, hash, contribution FROM transform.merge_record
          WHERE flow = $1 AND (window_key = ANY($2) OR (window_key = ANY($3) AND (source_id = ANY($4)
            OR source_id IN (SELECT source_id FROM transform.merge_record
                              WHERE flow = $1 AND window_key = ANY($2) AND window_key LIKE '%#late'))))`,
        [flow, whole, emitted, [...ids]],
      )) as Array<{
        window_key: string;
        source_id: string;
        hash: string;
        contribution: PersistedRecord['contribution'];
      }>;
      records = rows.map((r) => {
        const problem =
          handOver && r.contribution !== null
            ? checkContribution(r.contribution)
            : undefined;
        if (problem !== undefined)
          throw new Error(
            `invalid merge state for flow ${flow}: merge_record of window ${r.window_key}, record ${r.source_id}: ${problem}`,
          );
        return {
          windowKey: r.window_key,
          sourceId: r.source_id,
          hash: r.hash,
          contribution: r.contribution,
        };
      });
    }
    return WindowedMerger.assembleSnapshot(
      watermark,
      windows,
      records,
      eventTimes,
    );
  }

  /**
   * Open windows ready to emit, locked without waiting (another instance's emitter or a
   * batch holding one simply makes us skip it this tick): watermark past end + grace (not for
   * a window opened behind the watermark: catch-up; not for a window opened after its close by a
   * watermark at the live edge), or wall clock past end + grace and idle. `watermark` is the flow's
   * effective one (`flowWatermark`: the minimum over its active partitions), never the highest read.
   * Idleness counts from `idleSinceMs` at the earliest (the service start: downtime is not idleness, the
   * partitions get an idle timeout to be read again before a window closes for want of records).
   */
  async lockDueWindows(
    tx: QueryRunner,
    flow: string,
    timings: MergeTimings,
    watermark: number | null,
    nowMs: number,
    limit: number,
    idleSinceMs = 0,
  ): Promise<WindowMeta[]> {
    const rows = (await tx.query(
      `SELECT state FROM transform.merge_window
        WHERE flow = $1 AND status = 'open'
          AND (($3::bigint IS NOT NULL AND end_ms + $2 <= $3::bigint
                AND NOT COALESCE((state->>'behind')::boolean, false)
                -- opened after its close (history): not closed by a watermark at the live edge (see the merger)
                AND NOT ((state->>'createdAt')::bigint >= end_ms + $2
                         AND $3::bigint >= (state->>'createdAt')::bigint - $2 - $5))
               OR ($4::bigint >= end_ms + $2 AND $4::bigint - GREATEST(last_seen_ms, $7::bigint) >= $5))
        ORDER BY window_key
        LIMIT $6
        FOR UPDATE SKIP LOCKED`,
      [
        flow,
        timings.graceMs,
        watermark,
        nowMs,
        timings.idleTimeoutMs,
        limit,
        idleSinceMs,
      ],
    )) as Array<{ state: WindowMeta }>;
    return rows.map((r) => r.state);
  }

  /**
   * Writes `takeRecordChanges()` in the documented order: deleted windows (with their
   * records), window rows, record ops (last op per record wins), record counts, watermark.
   * `status` overrides the column status of some windows. Returns the versions (`xmin`) of the window rows
   * written (the deleted ones are not there).
   */
  async writeChanges(
    tx: QueryRunner,
    flow: string,
    changes: MergeChanges,
    status: ReadonlyMap<string, WindowRowStatus> = new Map(),
    writeWatermark = true,
  ): Promise<ReadonlyMap<string, string>> {
    if (changes.deletedWindows.length > 0) {
      const keys = [...changes.deletedWindows];
      await tx.query(
        'DELETE FROM transform.merge_record WHERE flow = $1 AND window_key = ANY($2)',
        [flow, keys],
      );
      await tx.query(
        'DELETE FROM transform.merge_window WHERE flow = $1 AND window_key = ANY($2)',
        [flow, keys],
      );
    }
    // Rows go as one JSON document per statement (jsonb_to_recordset), not as parallel arrays: node-postgres
    // escapes every element of an array parameter, which for the contributions cost more than the statement.
    const w = changes.windows;
    if (w.length > 0) {
      await tx.query(
        `INSERT INTO transform.merge_window
           (flow, window_key, base_key, status, start_ms, end_ms, last_seen_ms, record_count, state, updated_at)
         SELECT $1, k, b, s, st, e, ls, 0, js, now()
           FROM jsonb_to_recordset($2::jsonb) AS t(k text, b text, s text, st bigint, e bigint, ls bigint, js jsonb)
         ON CONFLICT (flow, window_key) DO UPDATE SET
           base_key = EXCLUDED.base_key, status = EXCLUDED.status, start_ms = EXCLUDED.start_ms,
           end_ms = EXCLUDED.end_ms, last_seen_ms = EXCLUDED.last_seen_ms, state = EXCLUDED.state, updated_at = now()`,
        [
          flow,
          JSON.stringify(
            w.map((x) => ({
              k: x.key,
              b: x.baseKey,
              s:
                status.get(x.key) ??
                (x.status === 'failed' ? 'dead_lettered' : x.status),
              st: x.start,
              e: x.end,
              ls: x.lastSeenAt,
              js: x,
            })),
          ),
        ],
      );
    }
    const last = new Map<string, RecordChange>();
    for (const c of changes.records)
      last.set(`${c.windowKey}\u0000${c.sourceId}`, c);
    const deletes = [...last.values()].filter((c) => c.op === 'delete');
    const puts = [...last.values()].filter((c) => c.op !== 'delete');
    if (deletes.length > 0) {
      await tx.query(
        `DELETE FROM transform.merge_record r USING unnest($2::text[], $3::text[]) AS d(k, s)
          WHERE r.flow = $1 AND r.window_key = d.k AND r.source_id = d.s`,
        [flow, deletes.map((c) => c.windowKey), deletes.map((c) => c.sourceId)],
      );
    }
    if (puts.length > 0) {
      await tx.query(
        `INSERT INTO transform.merge_record (flow, window_key, source_id, hash, contribution)
         SELECT $1, k, s, h, c FROM jsonb_to_recordset($2::jsonb) AS t(k text, s text, h text, c jsonb)
         ON CONFLICT (flow, window_key, source_id) DO UPDATE SET hash = EXCLUDED.hash, contribution = EXCLUDED.contribution`,
        [
          flow,
          JSON.stringify(
            puts.map((c) => ({
              k: c.windowKey,
              s: c.sourceId,
              h:
                c.op === 'put'
                  ? c.contribution.h
                  : c.op === 'emitted'
                    ? c.hash
                    : '',
              // JSON null: SQL NULL (only the hash is kept).
              c: c.op === 'put' ? c.contribution : null,
            })),
          ),
        ],
      );
    }
    const touched = [
      ...new Set([
        ...w.map((x) => x.key),
        ...changes.records.map((c) => c.windowKey),
      ]),
    ];
    // Every window row written is updated here, last: the versions it returns are the ones the rows keep.
    const versions = new Map<string, string>();
    if (touched.length > 0) {
      const updated = (await tx.query(
        `UPDATE transform.merge_window w SET record_count =
           (SELECT count(*) FROM transform.merge_record r
             WHERE r.flow = w.flow AND r.window_key = w.window_key AND r.contribution IS NOT NULL)
          WHERE w.flow = $1 AND w.window_key = ANY($2)
          RETURNING w.window_key, w.xmin::text AS version`,
        [flow, touched],
      )) as unknown[];
      for (const r of rowsOf(updated) as Array<{
        window_key: string;
        version: string;
      }>)
        versions.set(r.window_key, r.version);
    }
    // The per-partition event times were read under the row lock (lockEventTime) and advanced by this batch:
    // written whole, with the highest event time, in one statement.
    if (
      writeWatermark &&
      (changes.watermark !== null || changes.eventTimes !== undefined)
    ) {
      await tx.query(
        `UPDATE transform.merge_watermark
            SET watermark_ms = GREATEST(COALESCE(watermark_ms, $2::bigint), $2::bigint),
                event_times = COALESCE($3::jsonb, event_times), updated_at = now()
          WHERE flow = $1`,
        [
          flow,
          changes.watermark,
          changes.eventTimes === undefined
            ? null
            : JSON.stringify(changes.eventTimes),
        ],
      );
    }
    return versions;
  }

  /**
   * Retention of emitted windows: past `dedupRetention` only the record hashes are kept (a redelivery is
   * still dropped; a change is refused, its delta unknown); past `historyRetention` the window goes.
   * Returns how many windows were compacted and deleted.
   */
  async prune(
    flow: string,
    timings: MergeTimings,
    watermark: number,
  ): Promise<{ compacted: number; deleted: number }> {
    return this.transaction(async (tx) => {
      const compacted = (await tx.query(
        `UPDATE transform.merge_window
            SET state = state || '{"compacted": true}'::jsonb, updated_at = now()
          WHERE flow = $1 AND status = 'emitted' AND end_ms + $2 + $3 <= $4
            AND NOT COALESCE((state->>'compacted')::boolean, false)
            -- a pending correction still needs the counted contributions for its delta
            AND NOT EXISTS (SELECT 1 FROM transform.merge_window c
                             WHERE c.flow = $1 AND c.window_key = merge_window.window_key || '#late')
          RETURNING window_key`,
        [flow, timings.graceMs, timings.dedupRetentionMs, watermark],
      )) as unknown[];
      const compactedKeys = rowsOf(compacted).map((r) => r.window_key);
      if (compactedKeys.length > 0) {
        await tx.query(
          `DELETE FROM transform.merge_record WHERE flow = $1 AND window_key = ANY($2) AND hash = $3`,
          [flow, compactedKeys, TOMBSTONE_HASH],
        );
        await tx.query(
          `UPDATE transform.merge_record SET contribution = NULL
            WHERE flow = $1 AND window_key = ANY($2) AND contribution IS NOT NULL`,
          [flow, compactedKeys],
        );
      }
      const deleted = rowsOf(
        (await tx.query(
          `DELETE FROM transform.merge_window
            WHERE flow = $1 AND status <> 'open' AND end_ms + $2 + $3 <= $4
            RETURNING window_key`,
          [flow, timings.graceMs, timings.historyRetentionMs, watermark],
        )) as unknown[],
      );
      if (deleted.length > 0) {
        await tx.query(
          'DELETE FROM transform.merge_record WHERE flow = $1 AND window_key = ANY($2)',
          [flow, deleted.map((r) => r.window_key)],
        );
      }
      return { compacted: compactedKeys.length, deleted: deleted.length };
    });
  }

  /** Stores mapped documents in the outbox, in the caller's (emission) transaction. */
  async addToOutbox(
    tx: QueryRunner,
    flow: string,
    rows: ReadonlyArray<{ topic: string; documentKey: string; value: string }>,
  ): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO transform.merge_outbox (flow, topic, document_key, value)
       SELECT $1, t, k, v FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS x(t, k, v, n)
        ORDER BY n`,
      [
        flow,
        rows.map((r) => r.topic),
        rows.map((r) => r.documentKey),
        rows.map((r) => r.value),
      ],
    );
  }

  /**
   * Produces the flow's outbox rows in order and deletes them once `produce` resolved (acks=all), a batch
   * per transaction; rows another instance is producing are skipped. Returns how many were produced.
   */
  async drainOutbox(
    flow: string,
    limit: number,
    produce: (
      rows: ReadonlyArray<{
        topic: string;
        documentKey: string;
        value: string;
      }>,
    ) => Promise<void>,
  ): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.transaction(async (tx) => {
        const rows = (await tx.query(
          `SELECT id, topic, document_key, value FROM transform.merge_outbox
            WHERE flow = $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [flow, limit],
        )) as Array<{
          id: string;
          topic: string;
          document_key: string;
          value: string;
        }>;
        if (rows.length === 0) return 0;
        await produce(
          rows.map((r) => ({
            topic: r.topic,
            documentKey: r.document_key,
            value: r.value,
          })),
        );
        await tx.query(
          'DELETE FROM transform.merge_outbox WHERE id = ANY($1::bigint[])',
          [rows.map((r) => r.id)],
        );
        return rows.length;
      });
      total += n;
      if (n < limit) return total;
    }
  }

  /**
   * Re-opens a window whose emission was dead-lettered (a replay of its dead letter): it is emitted again at
   * the next tick. Returns false when the window is not dead-lettered (already emitted, open, or unknown).
   */
  async reopen(
    tx: QueryRunner,
    flow: string,
    windowKey: string,
  ): Promise<boolean> {
    const rows = rowsOf(
      (await tx.query(
        `UPDATE transform.merge_window
            SET status = 'open', last_seen_ms = 0, updated_at = now(),
                state = state || '{"status": "open", "lastSeenAt": 0}'::jsonb
          WHERE flow = $1 AND window_key = $2 AND status = 'dead_lettered'
          RETURNING window_key`,
        [flow, windowKey],
      )) as unknown[],
    );
    return rows.length > 0;
  }

  async openStats(flow: string): Promise<OpenWindowStats> {
    const rows = (await this.dataSource.query(
      `SELECT count(*)::int AS windows, COALESCE(sum(record_count), 0)::int AS records,
              (SELECT watermark_ms FROM transform.merge_watermark WHERE flow = $1) AS watermark,
              (SELECT event_times FROM transform.merge_watermark WHERE flow = $1) AS event_times
         FROM transform.merge_window WHERE flow = $1 AND status = 'open'`,
      [flow],
    )) as Array<{
      windows: number;
      records: number;
      watermark: string | null;
      event_times: unknown;
    }>;
    const r = rows[0];
    return {
      openWindows: r?.windows ?? 0,
      openRecords: r?.records ?? 0,
      watermark: toNumber(r?.watermark),
      eventTimes: eventTimesOf(flow, r?.event_times),
    };
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
