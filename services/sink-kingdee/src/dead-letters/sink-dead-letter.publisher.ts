import {
  outboundDocumentSchema,
  type ErrorClass,
  type StatusEvent,
} from '@kingbridge/contracts';
import type { DeadLetterInput, DeadLetterPublisher } from '@kingbridge/kafka';
import { contentHash } from '@kingbridge/pipeline-core';
import type { LedgerRepository } from '../ledger/ledger.repository';
import { detailsOf } from '../sink/change-after-write';
import type { SinkMetrics } from '../sink/sink.metrics';
import { statusEvent, type StatusPublisher } from '../sink/status.publisher';
import type {
  DeadLetterRecord,
  DeadLetterRepository,
} from './dead-letter.repository';

/**
 * Every dead letter of the sink's consumer goes through here, whoever
 * decided it (schema failure in the runtime, a Kingdee rejection, retries
 * exhausted): stored in Postgres (queryable, replayable), the ledger set to
 * `dead_lettered`, a `dead_lettered` status event, then `<topic>.dlq`.
 * Any failure rejects, so the runtime keeps the message unresolved and retries.
 */
export class SinkDeadLetterPublisher implements DeadLetterPublisher {
  constructor(
    private readonly kafka: DeadLetterPublisher,
    private readonly repository: DeadLetterRepository,
    private readonly ledger: LedgerRepository,
    private readonly status: StatusPublisher,
    private readonly metrics: SinkMetrics,
  ) {}

  async publish(entries: readonly DeadLetterInput[]): Promise<void> {
    const records: DeadLetterRecord[] = [];
    const events: StatusEvent[] = [];
    const ledgerRows: Parameters<LedgerRepository['markFailed']>[0][number][] =
      [];
    for (const e of entries) {
      const value = e.raw.value?.toString('utf8') ?? null;
      const parsed =
        value === null
          ? undefined
          : outboundDocumentSchema.safeParse(safeJson(value));
      const doc = parsed?.success ? parsed.data : undefined;
      const loose = (value === null ? {} : (safeJson(value) ?? {})) as Record<
        string,
        unknown
      >;
      const str = (k: string): string | null =>
        typeof loose[k] === 'string' ? (loose[k] as string) : null;
      records.push({
        topic: e.topic,
        partition: e.partition,
        offset: e.offset,
        key: e.raw.key?.toString('utf8') ?? null,
        value,
        headers: e.raw.headers,
        documentKey: doc?.documentKey ?? str('documentKey'),
        flow: doc?.flow ?? e.flow ?? str('flow'),
        target: doc?.target ?? str('target'),
        formId: doc?.formId ?? str('formId'),
        billNo: doc?.billNo ?? str('billNo'),
        sourceIds: doc?.lineage.sourceIds ?? [],
        errorClass: e.error.errorClass,
        errorMessage: e.error.message,
        fieldPath: e.error.fieldPath ?? null,
        attempts: Math.max(1, e.attempts),
        firstFailedAt: e.firstFailedAt ?? new Date().toISOString(),
        details: detailsOf(e.error) ?? null,
      });
      const changed = e.error.errorClass === 'changed_after_write';
      if (doc) {
        events.push(
          statusEvent(doc, {
            outcome: changed ? 'changed_after_write' : 'dead_lettered',
            attempts: Math.max(1, e.attempts),
            errorClass: e.error.errorClass as ErrorClass,
            errorMessage: e.error.message,
          }),
        );
        ledgerRows.push({
          documentKey: doc.documentKey,
          flow: doc.flow,
          target: doc.target,
          formId: doc.formId,
          billNo: doc.billNo,
          payloadHash: contentHash({
            formId: doc.formId,
            operation: doc.operation,
            options: doc.options,
            billNo: doc.billNo,
            document: doc.document,
          }),
          // Whether it may be in Kingdee already stays as the ledger knows it: a replay verifies first.
          state: 'dead_lettered',
          errorClass: e.error.errorClass,
          error: e.error.message,
        });
      }
    }
    await this.repository.save(records);
    await this.ledger.markFailed(ledgerRows);
    await this.status.publish(events);
    // The consumer serves every flow: name each dead letter's flow from its document.
    await this.kafka.publish(
      entries.map((e, i) => {
        const flow = records[i]?.flow;
        return flow ? { ...e, flow } : e;
      }),
    );
    for (const r of records) {
      this.metrics.rows.inc({
        target: r.target ?? 'unknown',
        form: r.formId ?? 'unknown',
        outcome:
          r.errorClass === 'changed_after_write'
            ? 'changed_after_write'
            : 'failed',
      });
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
