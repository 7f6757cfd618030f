import {
  deadLetterSchema,
  outboundDocumentSchema,
  rawRecordSchema,
  statusEventSchema,
} from '@kingbridge/contracts';

/** One Kafka message as read by a tool (value as text). */
export interface TracedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string | null;
}

export interface TraceStep {
  readonly step:
    | 'fetched'
    | 'outbound'
    | 'status'
    | 'dead-letter'
    | 'ledger'
    | 'connector-state';
  readonly where: string;
  readonly at?: string | undefined;
  readonly detail: Record<string, unknown>;
}

export interface RecordTrace {
  readonly sourceId: string;
  readonly steps: TraceStep[];
  /** What was looked at and could not be (broker down, table missing…), said plainly. */
  readonly notes: string[];
}

const where = (m: TracedMessage): string =>
  `${m.topic}[${m.partition}]@${m.offset}`;

function json(value: string | null): unknown {
  if (value === null) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Finds a source id's path in messages read from raw, outbound, status and dead-letter topics:
 * raw records keyed by the id, outbound documents and status events whose `sourceIds` hold it
 * (or whose document key an earlier step found), dead letters whose original message is one of
 * those. Pure: the caller reads the topics.
 */
export function traceInMessages(
  sourceId: string,
  messages: readonly TracedMessage[],
  platform?: string,
): TraceStep[] {
  const steps: TraceStep[] = [];
  const documentKeys = new Set<string>();
  const rawCoordinates = new Set<string>();
  const raws = messages.filter(
    (m) =>
      !m.topic.endsWith('.dlq') &&
      (m.topic.startsWith('oms.') || m.topic.startsWith('crm.')),
  );
  for (const m of raws) {
    if (m.key !== sourceId) continue;
    const raw = rawRecordSchema.safeParse(json(m.value));
    if (!raw.success || raw.data.sourceId !== sourceId) continue;
    if (platform !== undefined && raw.data.platform !== platform) continue;
    rawCoordinates.add(where(m));
    steps.push({
      step: 'fetched',
      where: where(m),
      at: raw.data.fetchedAt,
      detail: {
        stream: raw.data.stream,
        modifiedAt: raw.data.modifiedAt,
        runId: raw.data.runId,
        contentHash: raw.data.contentHash,
      },
    });
  }
  for (const m of messages) {
    if (
      !m.topic.startsWith('erp.kingdee.') ||
      !m.topic.endsWith('.outbound.v1')
    )
      continue;
    const doc = outboundDocumentSchema.safeParse(json(m.value));
    if (!doc.success || !doc.data.lineage.sourceIds.includes(sourceId))
      continue;
    if (platform !== undefined && doc.data.lineage.platform !== platform)
      continue;
    documentKeys.add(doc.data.documentKey);
    steps.push({
      step: 'outbound',
      where: where(m),
      detail: {
        flow: doc.data.flow,
        documentKey: doc.data.documentKey,
        billNo: doc.data.billNo,
        formId: doc.data.formId,
        records: doc.data.lineage.sourceIds.length,
        correctionOf: doc.data.correctionOf,
      },
    });
  }
  for (const m of messages) {
    if (m.topic.endsWith('.dlq') || !m.topic.includes('write-status')) continue;
    const ev = statusEventSchema.safeParse(json(m.value));
    if (!ev.success) continue;
    if (
      !ev.data.sourceIds.includes(sourceId) &&
      !documentKeys.has(ev.data.documentKey)
    )
      continue;
    documentKeys.add(ev.data.documentKey);
    steps.push({
      step: 'status',
      where: where(m),
      at: ev.data.at,
      detail: {
        documentKey: ev.data.documentKey,
        billNo: ev.data.billNo,
        outcome: ev.data.outcome,
        kingdeeId: ev.data.kingdeeId,
        kingdeeNumber: ev.data.kingdeeNumber,
        attempts: ev.data.attempts,
        errorClass: ev.data.errorClass,
        errorMessage: ev.data.errorMessage,
      },
    });
  }
  for (const m of messages) {
    if (!m.topic.endsWith('.dlq')) continue;
    const dl = deadLetterSchema.safeParse(json(m.value));
    if (!dl.success) continue;
    const original = `${dl.data.originalTopic}[${dl.data.partition}]@${dl.data.offset}`;
    const inner = json(dl.data.value) as
      | {
          sourceId?: unknown;
          documentKey?: unknown;
          lineage?: { sourceIds?: unknown };
        }
      | undefined;
    const hit =
      rawCoordinates.has(original) ||
      (dl.data.key !== null &&
        (dl.data.key === sourceId || documentKeys.has(dl.data.key))) ||
      inner?.sourceId === sourceId ||
      (Array.isArray(inner?.lineage?.sourceIds) &&
        inner.lineage.sourceIds.includes(sourceId));
    if (!hit) continue;
    steps.push({
      step: 'dead-letter',
      where: where(m),
      at: dl.data.lastFailedAt,
      detail: {
        service: dl.data.service,
        flow: dl.data.flow,
        original,
        errorClass: dl.data.errorClass,
        errorMessage: dl.data.errorMessage,
        fieldPath: dl.data.fieldPath,
        attempts: dl.data.attempts,
      },
    });
  }
  return steps;
}

/** Plain-text rendering, one step a line, followed by the notes. */
export function formatRecordTrace(trace: RecordTrace): string {
  const lines = [`source id ${trace.sourceId}`];
  if (trace.steps.length === 0) lines.push('  nothing found');
  for (const s of trace.steps) {
    const detail = Object.entries(s.detail)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    lines.push(
      `  ${s.step.padEnd(15)} ${(s.at ?? '-').padEnd(24)} ${s.where}  ${detail}`,
    );
  }
  for (const n of trace.notes) lines.push(`  note: ${n}`);
  return `${lines.join('\n')}\n`;
}
