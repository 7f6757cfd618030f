import {
  changeOfOutcome,
  statusEventSchema,
  type DocumentChange,
  type OutboundDocument,
  type StatusEvent,
} from '@kingbridge/contracts';
import type { KafkaProducer } from '@kingbridge/kafka';

/**
 * What the sink says about one document: the event's own fields (the rest come from the document). `change`:
 * what change the event is about, when the outcome does not say it (a reversal pair's new version).
 */
export type StatusDetails = Readonly<
  Pick<
    StatusEvent,
    | 'outcome'
    | 'attempts'
    | 'kingdeeId'
    | 'kingdeeNumber'
    | 'latencyMs'
    | 'errorClass'
    | 'errorMessage'
    | 'change'
  >
>;

/** Builds one `statusEventSchema` event for a document. */
export function statusEvent(
  doc: OutboundDocument,
  details: StatusDetails,
  at = new Date(),
): StatusEvent {
  return {
    schemaVersion: 1,
    flow: doc.flow,
    documentKey: doc.documentKey,
    target: doc.target,
    formId: doc.formId,
    billNo: doc.billNo,
    outcome: details.outcome,
    ...(details.kingdeeId ? { kingdeeId: details.kingdeeId } : {}),
    ...(details.kingdeeNumber ? { kingdeeNumber: details.kingdeeNumber } : {}),
    attempts: details.attempts,
    ...(details.latencyMs !== undefined
      ? { latencyMs: Math.max(0, details.latencyMs) }
      : {}),
    ...(details.errorClass ? { errorClass: details.errorClass } : {}),
    ...(details.errorMessage !== undefined
      ? { errorMessage: details.errorMessage }
      : {}),
    sourceIds: [...doc.lineage.sourceIds],
    ...changeOf(details, doc),
    at: at.toISOString(),
  };
}

/** Publishes status events (key = document key), resolving once acknowledged. */
export class StatusPublisher {
  constructor(
    private readonly producer: KafkaProducer,
    private readonly topic: string,
  ) {}

  async publish(events: readonly StatusEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.producer.sendJson(
      this.topic,
      statusEventSchema,
      events.map((e) => ({ key: e.documentKey, value: e })),
    );
  }
}

/** The change a status event reports: the one given, the outcome's own (after-write rules), or a correction's. */
function changeOf(
  details: StatusDetails,
  doc: OutboundDocument,
): { change?: DocumentChange } {
  const change =
    details.change ??
    changeOfOutcome(details.outcome) ??
    (doc.correctionOf !== undefined ? 'corrected' : undefined);
  return change === undefined ? {} : { change };
}
