import type { SqlExecutor } from './sql-executor.port';

export interface StreamCheckpoint {
  readonly streamId: string;
  readonly checkpointAt: Date;
  readonly lastRemediationAt: Date | undefined;
}

export interface RecordState {
  readonly contentHash: string;
  readonly modifiedAt: Date;
}

export interface RecordStateInput {
  readonly sourceId: string;
  readonly contentHash: string;
  readonly modifiedAt: string;
}

export interface BackfillJob {
  readonly jobId: string;
  readonly streamId: string;
  readonly rangeFrom: Date;
  readonly rangeTo: Date;
  readonly nextFrom: Date;
  readonly windowsTotal: number;
  readonly windowsDone: number;
  readonly recordsPublished: number;
  readonly status: 'running' | 'done';
}

const SCHEMA = 'source_connector';

/** The stream a checkpoint row belongs to. */
export interface CheckpointStream {
  readonly id: string;
  readonly platform: string;
  readonly entity: string;
}

/**
 * Postgres state of the connector (schema `source_connector`): per-stream
 * checkpoints, the content hash last published per record (dedup), and
 * backfill progress. Raw SQL; tables come from the service's migrations.
 */
export class SourceStateRepository {
  constructor(private readonly db: SqlExecutor) {}

  async getCheckpoint(streamId: string): Promise<StreamCheckpoint | undefined> {
    const rows = (await this.db.query(
      `SELECT stream_id, checkpoint_at, last_remediation_at FROM ${SCHEMA}.stream_checkpoint WHERE stream_id = $1`,
      [streamId],
    )) as {
      stream_id: string;
      checkpoint_at: Date;
      last_remediation_at: Date | null;
    }[];
    const row = rows[0];
    if (!row) return undefined;
    return {
      streamId: row.stream_id,
      checkpointAt: new Date(row.checkpoint_at),
      lastRemediationAt: row.last_remediation_at
        ? new Date(row.last_remediation_at)
        : undefined,
    };
  }

  /**
   * Records where a stream without checkpoint starts (its lookback or `startFrom`), before its first
   * window is read: a restart before that window is done resumes from the same start instead of
   * computing a later one (the downtime would be skipped). Leaves a real checkpoint untouched.
   */
  async pinStart(stream: CheckpointStream, startAt: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO ${SCHEMA}.stream_checkpoint (stream_id, platform, entity, checkpoint_at, updated_at)
       VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (stream_id) DO UPDATE SET checkpoint_at = EXCLUDED.checkpoint_at, updated_at = now()
         WHERE ${SCHEMA}.stream_checkpoint.checkpoint_at <= to_timestamp(0)`,
      [stream.id, stream.platform, stream.entity, startAt.toISOString()],
    );
  }

  /** Moves the checkpoint forward (never backwards) and clears the last error. */
  async advanceCheckpoint(
    stream: CheckpointStream,
    checkpointAt: Date,
    runId: string,
  ): Promise<Date> {
    const rows = (await this.db.query(
      `INSERT INTO ${SCHEMA}.stream_checkpoint (stream_id, platform, entity, checkpoint_at, last_run_id, last_success_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, now(), now())
       ON CONFLICT (stream_id) DO UPDATE SET
         checkpoint_at = GREATEST(${SCHEMA}.stream_checkpoint.checkpoint_at, EXCLUDED.checkpoint_at),
         last_run_id = EXCLUDED.last_run_id, last_success_at = now(), last_error = NULL, updated_at = now()
       RETURNING checkpoint_at`,
      [
        stream.id,
        stream.platform,
        stream.entity,
        checkpointAt.toISOString(),
        runId,
      ],
    )) as { checkpoint_at: Date }[];
    return new Date(rows[0]?.checkpoint_at ?? checkpointAt);
  }

  async recordError(stream: CheckpointStream, message: string): Promise<void> {
    await this.setCheckpointColumn(
      stream,
      'last_error',
      message.slice(0, 2000),
    );
  }

  async markRemediation(stream: CheckpointStream, at: Date): Promise<void> {
    await this.setCheckpointColumn(
      stream,
      'last_remediation_at',
      at.toISOString(),
    );
  }

  /** Sets one column of the stream's checkpoint row (a new row starts at the epoch, as if never run). */
  private async setCheckpointColumn(
    stream: CheckpointStream,
    column: 'last_error' | 'last_remediation_at',
    value: string,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO ${SCHEMA}.stream_checkpoint (stream_id, platform, entity, checkpoint_at, ${column}, updated_at)
       VALUES ($1, $2, $3, to_timestamp(0), $4, now())
       ON CONFLICT (stream_id) DO UPDATE SET ${column} = EXCLUDED.${column}, updated_at = now()`,
      [stream.id, stream.platform, stream.entity, value],
    );
  }

  async getRecordStates(
    streamId: string,
    sourceIds: readonly string[],
  ): Promise<Map<string, RecordState>> {
    const out = new Map<string, RecordState>();
    if (sourceIds.length === 0) return out;
    const rows = (await this.db.query(
      `SELECT source_id, content_hash, modified_at FROM ${SCHEMA}.record_state
       WHERE stream_id = $1 AND source_id = ANY($2::text[])`,
      [streamId, [...new Set(sourceIds)]],
    )) as { source_id: string; content_hash: string; modified_at: Date }[];
    for (const r of rows)
      out.set(r.source_id, {
        contentHash: r.content_hash,
        modifiedAt: new Date(r.modified_at),
      });
    return out;
  }

  /** Remembers what was published (called only after Kafka acknowledged it). */
  async saveRecordStates(
    streamId: string,
    records: readonly RecordStateInput[],
  ): Promise<void> {
    if (records.length === 0) return;
    const latest = new Map<string, RecordStateInput>();
    for (const r of records) latest.set(r.sourceId, r);
    const rows = [...latest.values()];
    await this.db.query(
      `INSERT INTO ${SCHEMA}.record_state (stream_id, source_id, content_hash, modified_at, published_at)
       SELECT $1, s, h, m::timestamptz, now() FROM unnest($2::text[], $3::text[], $4::text[]) AS t(s, h, m)
       ON CONFLICT (stream_id, source_id) DO UPDATE SET
         content_hash = EXCLUDED.content_hash, modified_at = EXCLUDED.modified_at, published_at = now()`,
      [
        streamId,
        rows.map((r) => r.sourceId),
        rows.map((r) => r.contentHash),
        rows.map((r) => r.modifiedAt),
      ],
    );
  }

  async getBackfillJob(jobId: string): Promise<BackfillJob | undefined> {
    const rows = (await this.db.query(
      `SELECT job_id, stream_id, range_from, range_to, next_from, windows_total, windows_done, records_published, status
       FROM ${SCHEMA}.backfill_job WHERE job_id = $1`,
      [jobId],
    )) as {
      job_id: string;
      stream_id: string;
      range_from: Date;
      range_to: Date;
      next_from: Date;
      windows_total: number;
      windows_done: number;
      records_published: string;
      status: 'running' | 'done';
    }[];
    const r = rows[0];
    if (!r) return undefined;
    return {
      jobId: r.job_id,
      streamId: r.stream_id,
      rangeFrom: new Date(r.range_from),
      rangeTo: new Date(r.range_to),
      nextFrom: new Date(r.next_from),
      windowsTotal: r.windows_total,
      windowsDone: r.windows_done,
      recordsPublished: Number(r.records_published),
      status: r.status,
    };
  }

  async createBackfillJob(
    job: Omit<
      BackfillJob,
      'status' | 'windowsDone' | 'recordsPublished' | 'nextFrom'
    >,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO ${SCHEMA}.backfill_job (job_id, stream_id, range_from, range_to, next_from, windows_total, windows_done, records_published, status, started_at, updated_at)
       VALUES ($1, $2, $3, $4, $3, $5, 0, 0, 'running', now(), now()) ON CONFLICT (job_id) DO NOTHING`,
      [
        job.jobId,
        job.streamId,
        job.rangeFrom.toISOString(),
        job.rangeTo.toISOString(),
        job.windowsTotal,
      ],
    );
  }

  async advanceBackfillJob(
    jobId: string,
    nextFrom: Date,
    recordsAdded: number,
    done: boolean,
  ): Promise<void> {
    await this.db.query(
      `UPDATE ${SCHEMA}.backfill_job SET next_from = $2, windows_done = windows_done + 1,
         records_published = records_published + $3, status = $4, updated_at = now(),
         finished_at = CASE WHEN $4 = 'done' THEN now() ELSE NULL END
       WHERE job_id = $1`,
      [jobId, nextFrom.toISOString(), recordsAdded, done ? 'done' : 'running'],
    );
  }
}

/** The repository's surface (lets tests use an in-memory store). */
export type SourceStateStore = Pick<
  SourceStateRepository,
  keyof SourceStateRepository
>;
