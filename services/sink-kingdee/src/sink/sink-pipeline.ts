import type { KingdeeTarget, OutboundDocument } from '@kingbridge/contracts';
import type { ConsumedMessage, MessageOutcome } from '@kingbridge/kafka';
import type { Logger } from '@kingbridge/observability';
import {
  contentHash,
  NonRetriableError,
  toPipelineError,
  type PipelineError,
} from '@kingbridge/pipeline-core';
import {
  checkOutboundDocument,
  isAmbiguous,
  isPermanent,
  kingdeeError,
  type BillMatch,
  type BillRef,
  type KingdeeWriter,
  type RowOutcome,
  type UpdateOutcome,
} from '@kingbridge/sink-kingdee-client';
import { randomUUID } from 'node:crypto';
import type {
  FailedEntry,
  LedgerDocument,
  LedgerEntry,
  LedgerFence,
  LedgerRepository,
} from '../ledger/ledger.repository';
import type { WriteScheduler } from '../writer/write-scheduler';
import { HEADER_APPLY_CHANGE } from '../dead-letters/dead-letter.replayer';
import { ChangedAfterWriteError, payloadDiff } from './change-after-write';
import { asksKingdeeFirst } from './id-check';
import type { SinkMetrics } from './sink.metrics';
import { statusEvent, type StatusPublisher } from './status.publisher';
import type { StatusEvent } from '@kingbridge/contracts';

export interface SinkPipelineDeps {
  readonly ledger: LedgerRepository;
  readonly scheduler: WriteScheduler;
  readonly writers: ReadonlyMap<KingdeeTarget, KingdeeWriter>;
  readonly status: StatusPublisher;
  readonly metrics: SinkMetrics;
  readonly logger: Logger;
  /** Owner token and in-flight lease (default: a random owner, 60 s lease, 30 s grace). */
  readonly fence?: LedgerFence;
  readonly now?: () => number;
}

interface Item {
  readonly index: number;
  readonly doc: OutboundDocument;
  readonly ledgerDoc: LedgerDocument;
  /** What the payload hash covers (kept in the ledger once written). */
  readonly payload: unknown;
  /** A replayed change after write: the operator applies it to the written document. */
  readonly applyChange: boolean;
  /** Part of a reversal pair (plan rule `reverse`): its status event says `reversed`. */
  readonly role?: 'reversal' | 'version';
}

/** One outcome per message of the batch, by index; empty until decided. */
type Outcomes = Array<MessageOutcome | undefined>;

function notProcessed(): MessageOutcome {
  return { kind: 'retry', error: kingdeeError('unknown', 'not processed') };
}

interface Written {
  readonly item: Item;
  readonly ref: BillRef;
  readonly attempts: number;
}

/** What the ledger records of a written document: its id and number in Kingdee and the payload written. */
function writtenEntry(w: Written): LedgerDocument & {
  kingdeeId: string;
  kingdeeNumber: string;
  payload: unknown;
} {
  return {
    ...w.item.ledgerDoc,
    kingdeeId: w.ref.id,
    kingdeeNumber: w.ref.number,
    payload: w.item.payload,
  };
}

interface Retry {
  readonly item: Item;
  readonly error: PipelineError;
  readonly attempts: number;
  /** After a send: may the write have happened? Omitted after a failed lookup (state unchanged). */
  readonly mayHaveWritten?: boolean;
}

/**
 * The sink's batch handler. Per partition batch: target schema check
 * (dead-letter with the field path before any call), ledger lookup (written
 * documents are never sent again; `sending`/`ambiguous` ones are looked up in
 * Kingdee first), `sending` recorded, rows written through the scheduler,
 * each row's outcome recorded in the ledger and published as a status event,
 * then one outcome per message for the runtime (done / retry / dead-letter).
 * Messages with the same document key run in successive waves, in order.
 */
export class SinkPipeline {
  private readonly now: () => number;
  readonly fence: LedgerFence;

  constructor(private readonly deps: SinkPipelineDeps) {
    this.now = deps.now ?? Date.now;
    this.fence = deps.fence ?? {
      owner: randomUUID(),
      leaseMs: 60_000,
      graceMs: 30_000,
    };
  }

  /** `signal`: the consumer gave the batch up (partition revoked, stop): send nothing more. */
  async handle(
    messages: readonly ConsumedMessage<OutboundDocument>[],
    signal?: AbortSignal,
  ): Promise<MessageOutcome[]> {
    // Filled as documents are decided; one left empty (the batch was given up) is retried.
    const outcomes: Outcomes = new Array<MessageOutcome | undefined>(
      messages.length,
    );
    const waves: Item[][] = [];
    const seen = new Map<string, number>();
    messages.forEach((m, index) => {
      const doc = m.value;
      const check = checkOutboundDocument(doc);
      if (!check.ok) {
        outcomes[index] = {
          kind: 'dead-letter',
          error: new NonRetriableError(check.message, {
            errorClass: 'schema',
            fieldPath: check.fieldPath,
          }),
        };
        return;
      }
      const wave = seen.get(doc.documentKey) ?? 0;
      seen.set(doc.documentKey, wave + 1);
      const payload = payloadOf(doc);
      (waves[wave] ??= []).push({
        index,
        doc,
        payload,
        applyChange: m.headers[HEADER_APPLY_CHANGE] === 'update',
        ledgerDoc: ledgerDocument(doc, payload),
      });
    });
    // A key whose earlier message is not done holds back its later messages (order per key).
    const blocked = new Set<string>();
    for (const wave of waves) {
      const ready: Item[] = [];
      for (const item of wave) {
        if (blocked.has(item.doc.documentKey)) {
          outcomes[item.index] = {
            kind: 'retry',
            error: kingdeeError(
              'unknown',
              `waiting for an earlier message of ${item.doc.documentKey}`,
            ),
          };
        } else {
          ready.push(item);
        }
      }
      if (signal?.aborted) break;
      await this.processWave(ready, outcomes, signal);
      for (const item of ready)
        if (outcomes[item.index]?.kind !== 'done')
          blocked.add(item.doc.documentKey);
    }
    return Array.from(outcomes, (o) => o ?? notProcessed());
  }

  private async processWave(
    items: readonly Item[],
    outcomes: Outcomes,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const { ledger } = this.deps;
    const fence = this.fence;
    const entries = await ledger.load(items.map((i) => i.doc.documentKey));
    const events: StatusEvent[] = [];
    const written: Written[] = [];
    const retries: Retry[] = [];
    const conflicts: Array<{ item: Item; error: PipelineError }> = [];
    const toVerify: Item[] = [];
    let toSend: Item[] = [];

    const rewritten = new Set<Item>();
    const changed: Item[] = [];
    const updates: Item[] = [];
    const ruleUpdates: Item[] = [];
    const reversals: Item[] = [];
    for (const item of items) {
      const entry = entries.get(item.doc.documentKey);
      const written = entry?.state === 'written';
      const differs =
        written && entry.payloadHash !== item.ledgerDoc.payloadHash;
      const rule = item.doc.changeAfterWrite ?? 'dead_letter';
      if (item.doc.withdrawn && !written) {
        // Withdrawn from the source: never written as a new document.
        if (entry && needsVerification(entry))
          this.wait(item, entry.leaseLeftMs, outcomes);
        else this.ignoreWithdrawn(item, outcomes);
      } else if (item.doc.withdrawn && item.applyChange) {
        // An operator replayed a withdrawn dead letter: acknowledged, Kingdee stays as it is.
        this.skip(item, entry, events, outcomes);
        await ledger.resolveDeadLetters([item.doc.documentKey]);
      } else if (item.doc.withdrawn && rule === 'reverse') {
        reversals.push(item);
      } else if (item.doc.withdrawn && rule !== 'skip') {
        changed.push(item);
      } else if (differs && item.applyChange) {
        updates.push(item);
      } else if (written && rule === 'reverse' && !item.role) {
        // Its versions decide (a reversed document is compared with its latest version).
        reversals.push(item);
      } else if (differs && rule === 'update' && !item.role) {
        ruleUpdates.push(item);
      } else if (differs && rule !== 'skip') {
        changed.push(item);
      } else if (written) {
        this.skip(item, entry, events, outcomes);
      } else if (entry && entry.leaseLeftMs > 0 && needsVerification(entry)) {
        // An attempt is in flight (here or at another owner) or Kingdee may still be finishing it.
        this.wait(item, entry.leaseLeftMs, outcomes);
      } else if (
        (entry && needsVerification(entry)) ||
        asksKingdeeFirst(item.doc, entry)
      ) {
        toVerify.push(item);
      } else {
        toSend.push(item);
      }
    }

    // Changed after write: never sent again, never silently skipped; held for an operator.
    if (changed.length > 0) {
      const previous = await ledger.writtenPayloads(
        changed.map((i) => i.doc.documentKey),
      );
      for (const item of changed) {
        const withdrawn = item.doc.withdrawn;
        const why = !withdrawn
          ? undefined
          : item.doc.changeAfterWrite === 'update'
            ? `withdrawn from the source (${withdrawn.reason}); plan rule update cannot withdraw a written bill (the sink does not delete Kingdee bills): reverse or delete it by hand`
            : `withdrawn from the source (${withdrawn.reason})`;
        outcomes[item.index] = {
          kind: 'dead-letter',
          error: changedError(
            item,
            previous.get(item.doc.documentKey) ?? null,
            entries.get(item.doc.documentKey)?.kingdeeId,
            why,
          ),
        };
      }
    }

    // Plan rule update: the written bill is saved over in place, minding its audit state.
    const updatedByRule = new Set<Item>();
    if (ruleUpdates.length > 0 && !signal?.aborted) {
      const previous = await ledger.writtenPayloads(
        ruleUpdates.map((i) => i.doc.documentKey),
      );
      const results = await Promise.all(
        ruleUpdates.map((item) =>
          this.updateByRule(
            item,
            entries.get(item.doc.documentKey)?.kingdeeId,
            signal,
          ),
        ),
      );
      ruleUpdates.forEach((item, k) => {
        const result = results[k] as UpdateOutcome;
        const entry = entries.get(item.doc.documentKey);
        const attempts = (entry?.attempts ?? 0) + 1;
        if (result.kind === 'written') {
          rewritten.add(item);
          updatedByRule.add(item);
          written.push({
            item,
            ref: { id: result.id, number: result.number },
            attempts,
          });
        } else if (result.kind === 'refused') {
          outcomes[item.index] = {
            kind: 'dead-letter',
            error: changedError(
              item,
              previous.get(item.doc.documentKey) ?? null,
              entry?.kingdeeId,
              `plan rule update refused: ${result.reason}`,
            ),
          };
        } else if (
          isPermanent(result.error.errorClass) ||
          !result.error.retriable
        ) {
          outcomes[item.index] = { kind: 'dead-letter', error: result.error };
        } else {
          // The ledger stays `written` (the old version): a retry updates again.
          outcomes[item.index] = { kind: 'retry', error: result.error };
        }
      });
    }

    // Plan rule reverse: a reversal of the written version, then the new version as a new document.
    for (const item of reversals) {
      if (signal?.aborted) {
        this.wait(item, 0, outcomes);
        continue;
      }
      outcomes[item.index] = await this.reverse(item, signal);
    }

    // An operator replayed a change after write: update the written document in place.
    if (updates.length > 0 && !signal?.aborted) {
      const results = await Promise.all(
        updates.map((item) => this.update(item, entries, signal)),
      );
      updates.forEach((item, k) => {
        const result = results[k] as RowOutcome;
        const attempts = (entries.get(item.doc.documentKey)?.attempts ?? 0) + 1;
        if (result.kind === 'written') {
          rewritten.add(item);
          written.push({
            item,
            ref: { id: result.id, number: result.number },
            attempts,
          });
        } else {
          retries.push({ item, error: result.error, attempts });
          if (isPermanent(result.error.errorClass) || !result.error.retriable)
            outcomes[item.index] = { kind: 'dead-letter', error: result.error };
        }
      });
    }

    // A previous attempt may have written these: ask Kingdee before resending.
    if (toVerify.length > 0) {
      const { found, notFound, failed, different } = await this.verify(
        toVerify,
        signal,
      );
      for (const [item, ref] of found)
        written.push({
          item,
          ref,
          attempts: entries.get(item.doc.documentKey)?.attempts ?? 0,
        });
      // The lookup failed: still unverified, so the next attempt looks again (never a blind send).
      for (const [item, error] of failed)
        retries.push({
          item,
          error,
          attempts: entries.get(item.doc.documentKey)?.attempts ?? 0,
        });
      conflicts.push(...different);
      toSend = [...toSend, ...notFound];
    }

    if (toSend.length > 0 && signal?.aborted) {
      for (const item of toSend) this.wait(item, 0, outcomes);
      toSend = [];
    }
    if (toSend.length > 0) {
      const attempts = await ledger.markSending(
        toSend.map((i) => i.ledgerDoc),
        fence,
      );
      const raced = toSend.filter((i) => !attempts.has(i.doc.documentKey));
      if (raced.length > 0) {
        // Written, or claimed by another owner, between load and mark: never send now.
        const now = await ledger.load(raced.map((i) => i.doc.documentKey));
        for (const item of raced) {
          const entry = now.get(item.doc.documentKey);
          if (entry?.state === 'written')
            this.skip(item, entry, events, outcomes);
          else this.wait(item, entry?.leaseLeftMs ?? 0, outcomes);
        }
        toSend = toSend.filter((i) => attempts.has(i.doc.documentKey));
      }
      const keys = toSend.map((i) => i.doc.documentKey);
      // Keep the lease while the rows wait in the scheduler or their request runs.
      const renew = setInterval(
        () => {
          ledger
            .renewLeases(keys, fence)
            .catch((err: unknown) =>
              this.deps.logger.warn(
                { err: err instanceof Error ? err.message : String(err) },
                'cannot renew in-flight leases',
              ),
            );
        },
        Math.max(200, Math.floor(fence.leaseMs / 3)),
      );
      renew.unref();
      let results: RowOutcome[];
      try {
        results = await Promise.all(
          toSend.map((item) =>
            this.deps.scheduler.submit({
              key: item.doc.documentKey,
              group: {
                target: item.doc.target,
                formId: item.doc.formId,
                operation: item.doc.operation,
                options: item.doc.options,
                batchRows: item.doc.batchRows,
              },
              row: { billNo: item.doc.billNo, document: item.doc.document },
              ...(signal ? { signal } : {}),
            }),
          ),
        );
      } finally {
        clearInterval(renew);
      }
      const duplicates: Array<{
        item: Item;
        error: PipelineError;
        attempts: number;
      }> = [];
      toSend.forEach((item, k) => {
        const result = results[k] as RowOutcome;
        const n = attempts.get(item.doc.documentKey) ?? 1;
        if (result.kind === 'written') {
          written.push({
            item,
            ref: { id: result.id, number: result.number },
            attempts: n,
          });
        } else if (result.error.errorClass === 'duplicate_number') {
          duplicates.push({ item, error: result.error, attempts: n });
        } else if (
          isPermanent(result.error.errorClass) ||
          !result.error.retriable
        ) {
          retries.push({
            item,
            error: result.error,
            attempts: n,
            mayHaveWritten: false,
          });
          outcomes[item.index] = { kind: 'dead-letter', error: result.error };
        } else {
          retries.push({
            item,
            error: result.error,
            attempts: n,
            mayHaveWritten: isAmbiguous(result.error.errorClass),
          });
        }
      });
      // "Already used" means maybe written by us: verify, never resend blind.
      if (duplicates.length > 0) {
        const { found, notFound, failed, different } = await this.verify(
          duplicates.map((d) => d.item),
          signal,
        );
        const attemptsOf = new Map(duplicates.map((d) => [d.item, d.attempts]));
        const errorOf = new Map(duplicates.map((d) => [d.item, d.error]));
        for (const [item, ref] of found)
          written.push({ item, ref, attempts: attemptsOf.get(item) ?? 1 });
        // Not found (its duplicate error stands) or the lookup failed: it may still have been written.
        const unsettled: Array<[Item, PipelineError]> = [
          ...notFound.map((item): [Item, PipelineError] => [
            item,
            errorOf.get(item) as PipelineError,
          ]),
          ...failed,
        ];
        for (const [item, error] of unsettled)
          retries.push({
            item,
            error,
            attempts: attemptsOf.get(item) ?? 1,
            mayHaveWritten: true,
          });
        conflicts.push(...different);
      }
    }

    // A bill under our number that is another document: never taken for ours.
    for (const c of conflicts) {
      retries.push({
        item: c.item,
        error: c.error,
        attempts: entries.get(c.item.doc.documentKey)?.attempts ?? 1,
      });
      outcomes[c.item.index] = { kind: 'dead-letter', error: c.error };
    }

    await ledger.markRewritten(
      written.filter((w) => rewritten.has(w.item)).map(writtenEntry),
    );
    await ledger.markWritten(
      written.filter((w) => !rewritten.has(w.item)).map(writtenEntry),
    );
    await ledger.markFailed(
      retries.map((r): FailedEntry => ({
        ...r.item.ledgerDoc,
        state: r.mayHaveWritten ? 'ambiguous' : 'retrying',
        errorClass: r.error.errorClass,
        error: r.error.message,
        ...(r.mayHaveWritten !== undefined
          ? { mayHaveWritten: r.mayHaveWritten }
          : {}),
      })),
      fence,
    );
    const now = new Date(this.now());
    for (const w of written) {
      const doc = w.item.doc;
      const outcome =
        w.item.role === 'reversal'
          ? 'reversed'
          : updatedByRule.has(w.item)
            ? 'updated'
            : 'written';
      events.push(
        statusEvent(
          doc,
          {
            outcome,
            ...(w.item.role === 'version' ? { change: 'reversed' } : {}),
            attempts: w.attempts,
            kingdeeId: w.ref.id,
            kingdeeNumber: w.ref.number,
            latencyMs: now.getTime() - Date.parse(doc.lineage.firstFetchedAt),
          },
          now,
        ),
      );
      this.deps.metrics.rows.inc({
        target: doc.target,
        form: doc.formId,
        outcome,
      });
      outcomes[w.item.index] = { kind: 'done' };
    }
    for (const r of retries) {
      if (outcomes[r.item.index]?.kind === 'dead-letter') continue;
      const doc = r.item.doc;
      events.push(
        statusEvent(
          doc,
          {
            outcome: 'retrying',
            attempts: r.attempts,
            errorClass: r.error.errorClass,
            errorMessage: r.error.message,
          },
          now,
        ),
      );
      this.deps.metrics.rows.inc({
        target: doc.target,
        form: doc.formId,
        outcome: 'retried',
      });
      this.deps.metrics.retries.inc({
        target: doc.target,
        form: doc.formId,
        error_class: r.error.errorClass,
      });
      outcomes[r.item.index] = {
        kind: 'retry',
        error: r.error,
        ...(retryAfter(r.error) !== undefined
          ? { retryAfterMs: retryAfter(r.error) }
          : {}),
      };
    }
    await this.deps.status.publish(events);
    const retried = retries.filter(
      (r) => outcomes[r.item.index]?.kind === 'retry',
    );
    if (retried.length > 0 && !signal?.aborted) {
      this.deps.logger.warn(
        {
          retries: retried.length,
          errorClasses: [...new Set(retried.map((r) => r.error.errorClass))],
          example: retried[0]?.error.message,
        },
        'documents will be retried',
      );
    }
  }

  private skip(
    item: Item,
    entry: LedgerEntry | undefined,
    events: StatusEvent[],
    outcomes: Outcomes,
  ): void {
    const doc = item.doc;
    if (doc.withdrawn) {
      this.deps.logger.warn(
        {
          flow: doc.flow,
          documentKey: doc.documentKey,
          billNo: doc.billNo,
          reason: doc.withdrawn.reason,
        },
        item.applyChange
          ? 'withdrawn document replayed: Kingdee kept as it is (reverse or delete the bill by hand)'
          : 'document withdrawn from the source after it was written: Kingdee kept as it is (plan changeAfterWrite: skip)',
      );
    } else if (entry && entry.payloadHash !== item.ledgerDoc.payloadHash) {
      // The plan's changeAfterWrite: skip keeps Kingdee as it is.
      this.deps.logger.warn(
        { flow: doc.flow, documentKey: doc.documentKey, billNo: doc.billNo },
        'document already written with a different payload: not sent again (plan changeAfterWrite: skip)',
      );
    }
    events.push(
      statusEvent(doc, {
        outcome: 'duplicate_skipped',
        attempts: entry?.attempts ?? 0,
        ...(entry?.kingdeeId ? { kingdeeId: entry.kingdeeId } : {}),
        ...(entry?.kingdeeNumber ? { kingdeeNumber: entry.kingdeeNumber } : {}),
      }),
    );
    this.deps.metrics.rows.inc({
      target: doc.target,
      form: doc.formId,
      outcome: 'duplicate_skipped',
    });
    outcomes[item.index] = { kind: 'done' };
  }

  /** A withdrawn document never written: nothing to undo (acked, counted, a debug line). */
  private ignoreWithdrawn(item: Item, outcomes: Outcomes): void {
    const doc = item.doc;
    this.deps.logger.debug(
      {
        flow: doc.flow,
        documentKey: doc.documentKey,
        reason: doc.withdrawn?.reason,
      },
      'withdrawn document was never written: ignored',
    );
    this.deps.metrics.rows.inc({
      target: doc.target,
      form: doc.formId,
      outcome: 'withdrawn_ignored',
    });
    outcomes[item.index] = { kind: 'done' };
  }

  /** Plan rule update: the target's `updateBill` of the written bill `id` within a request slot. */
  private updateByRule(
    item: Item,
    id: string | null | undefined,
    signal: AbortSignal | undefined,
  ): Promise<UpdateOutcome> {
    const doc = item.doc;
    const writer = this.deps.writers.get(doc.target);
    const updateBill = writer?.updateBill?.bind(writer);
    if (!updateBill || !id)
      return Promise.resolve({
        kind: 'refused',
        reason: id
          ? `${doc.target} cannot update a written bill`
          : 'no Kingdee id recorded',
      });
    return this.deps.scheduler.withSlot(doc.target, () =>
      updateBill({
        formId: doc.formId,
        options: doc.options,
        id,
        row: { billNo: doc.billNo, document: doc.document },
        unaudit: doc.unauditToUpdate === true,
        ...(signal ? { signal } : {}),
      }),
    );
  }

  /**
   * Plan rule reverse. The record's documents are `K` (first version), then per change `n` a reversal
   * `K#r<n>` (`<billNo>-R<n>`) of the version in force and the next version `K#v<n+1>` (`<billNo>-V<n+1>`);
   * each goes through the ledger like any document, so a crash or a redelivery between the two resumes
   * where it stopped (the written reversal is skipped, the missing version written) and never doubles one.
   */
  private async reverse(
    item: Item,
    signal: AbortSignal | undefined,
  ): Promise<MessageOutcome> {
    const doc = item.doc;
    const key = doc.documentKey;
    const chain = await versionChain(this.deps.ledger, key);
    const n = chain.revision;
    const current = derived(item, {
      documentKey: `${key}#v${n + 1}`,
      billNo: `${doc.billNo}-V${n + 1}`,
      role: 'version',
    });
    if (!doc.withdrawn && !chain.reversed) {
      const same = contentHash(
        payloadOf({
          ...doc,
          billNo: n === 1 ? doc.billNo : `${doc.billNo}-V${n}`,
        }),
      );
      if (same === chain.entry.payloadHash) {
        const sub: MessageOutcome[] = [];
        const events: StatusEvent[] = [];
        this.skip(
          { ...item, index: 0, doc: { ...doc, documentKey: chain.key } },
          chain.entry,
          events,
          sub,
        );
        await this.deps.status.publish(events);
        return sub[0] as MessageOutcome;
      }
    }
    if (chain.reversed) {
      // The version in force was reversed (withdrawn earlier): a withdrawal again is done, a new version is written.
      if (doc.withdrawn) return { kind: 'done' };
      return this.runOne(current, signal);
    }
    const before = (await this.deps.ledger.writtenPayloads([chain.key])).get(
      chain.key,
    );
    const negate = doc.reversal?.negate ?? [];
    if (!isRecord(before) || !isRecord(before['document']) || !negate.length)
      return {
        kind: 'dead-letter',
        error: changedError(
          item,
          before ?? null,
          undefined,
          !negate.length
            ? 'plan rule reverse without target.reversal.negate'
            : `no written payload of ${chain.key} recorded to reverse`,
        ),
      };
    const reversal = derived(item, {
      documentKey: `${key}#r${n}`,
      billNo: `${doc.billNo}-R${n}`,
      role: 'reversal',
      document: negated(before['document'], negate),
    });
    const first = await this.runOne(reversal, signal);
    if (first.kind !== 'done' || doc.withdrawn) return first;
    return this.runOne(current, signal);
  }

  /** One derived document through the whole wave (ledger, verify, send, status). */
  private async runOne(
    item: Item,
    signal: AbortSignal | undefined,
  ): Promise<MessageOutcome> {
    const sub: Outcomes = [undefined];
    await this.processWave([item], sub, signal);
    return sub[0] ?? notProcessed();
  }

  /** Sends `item` as an update of its written bill (the target's `asUpdate`). */
  private update(
    item: Item,
    entries: ReadonlyMap<string, LedgerEntry>,
    signal: AbortSignal | undefined,
  ): Promise<RowOutcome> {
    const doc = item.doc;
    const writer = this.deps.writers.get(doc.target);
    const id = entries.get(doc.documentKey)?.kingdeeId;
    if (!writer?.asUpdate || !id) {
      return Promise.resolve({
        kind: 'failed',
        error: kingdeeError(
          'validation',
          `${doc.target} ${doc.formId}: ${doc.documentKey} cannot be updated in place (${id ? 'the target has no update' : 'no Kingdee id recorded'})`,
        ),
      });
    }
    if (writer.updateBill)
      // Minding the bill's audit state (and the plan's target.unauditToUpdate), as the rule update does.
      return this.updateByRule(item, id, signal).then((r) =>
        r.kind === 'refused'
          ? {
              kind: 'failed',
              error: kingdeeError(
                'validation',
                `${doc.target} ${doc.formId}: ${doc.documentKey} cannot be updated in place: ${r.reason}`,
              ),
            }
          : r,
      );
    return this.deps.scheduler.submit({
      key: doc.documentKey,
      group: {
        target: doc.target,
        formId: doc.formId,
        operation: doc.operation,
        options: doc.options,
        batchRows: doc.batchRows,
      },
      row: writer.asUpdate(doc.formId, id, {
        billNo: doc.billNo,
        document: doc.document,
      }),
      ...(signal ? { signal } : {}),
    });
  }

  /** Not now: an earlier attempt is still in flight (or the batch was given up); the message is retried. */
  private wait(item: Item, leaseLeftMs: number, outcomes: Outcomes): void {
    outcomes[item.index] = {
      kind: 'retry',
      error: kingdeeError(
        'unknown',
        `${item.doc.documentKey}: an earlier attempt may still be in flight; waiting ${leaseLeftMs} ms before looking it up`,
      ),
      ...(leaseLeftMs > 0 ? { retryAfterMs: leaseLeftMs + 50 } : {}),
    };
  }

  /**
   * Asks Kingdee which of these bills exist, per target and form, comparing
   * content where the writer can (`matchBills`): a bill under our number that
   * is another document is a `duplicate_number_conflict`, never "written".
   */
  private async verify(
    items: readonly Item[],
    signal: AbortSignal | undefined,
  ): Promise<{
    found: Array<[Item, BillRef]>;
    notFound: Item[];
    failed: Array<[Item, PipelineError]>;
    different: Array<{ item: Item; error: PipelineError }>;
  }> {
    const found: Array<[Item, BillRef]> = [];
    const notFound: Item[] = [];
    const failed: Array<[Item, PipelineError]> = [];
    const different: Array<{ item: Item; error: PipelineError }> = [];
    const groups = new Map<string, Item[]>();
    for (const item of items) {
      const id = `${item.doc.target}\u0000${item.doc.formId}`;
      (groups.get(id) ?? groups.set(id, []).get(id))?.push(item);
    }
    for (const group of groups.values()) {
      const first = group[0] as Item;
      const writer = this.deps.writers.get(first.doc.target);
      try {
        if (!writer)
          throw kingdeeError(
            'auth',
            `no writer configured for target ${first.doc.target}`,
          );
        const bills = await this.deps.scheduler.withSlot(
          first.doc.target,
          async (): Promise<Map<string, BillMatch>> => {
            if (writer.matchBills) {
              const rows = new Map(
                group.map((i) => [
                  i.doc.billNo,
                  { billNo: i.doc.billNo, document: i.doc.document },
                ]),
              );
              return writer.matchBills(
                first.doc.formId,
                [...rows.values()],
                signal,
              );
            }
            const refs = await writer.findBills(
              first.doc.formId,
              [...new Set(group.map((i) => i.doc.billNo))],
              signal,
            );
            return new Map(
              [...refs].map(([no, ref]) => [no, { kind: 'same', ...ref }]),
            );
          },
        );
        for (const item of group) {
          const match = bills.get(item.doc.billNo);
          if (!match) notFound.push(item);
          else if (match.kind === 'same')
            found.push([item, { id: match.id, number: match.number }]);
          else
            different.push({
              item,
              error: kingdeeError(
                'duplicate_number_conflict',
                `${item.doc.target} ${item.doc.formId}: bill number ${item.doc.billNo} is used by another document (id ${match.id}): ${match.reason}`,
              ),
            });
        }
      } catch (err) {
        const error = toPipelineError(err);
        for (const item of group) failed.push([item, error]);
      }
    }
    return { found, notFound, failed, different };
  }
}

/** A previous attempt may have reached Kingdee (crash mid-call, timeout, lost answer, duplicate number). */
function needsVerification(entry: LedgerEntry): boolean {
  return (
    entry.unverified || entry.state === 'sending' || entry.state === 'ambiguous'
  );
}

/** The part of a document its ledger hash covers (what Kingdee is sent). */
export function payloadOf(doc: OutboundDocument): Record<string, unknown> {
  return {
    formId: doc.formId,
    operation: doc.operation,
    options: doc.options,
    billNo: doc.billNo,
    document: doc.document,
  };
}

function ledgerDocument(
  doc: OutboundDocument,
  payload: Record<string, unknown>,
): LedgerDocument {
  return {
    documentKey: doc.documentKey,
    flow: doc.flow,
    target: doc.target,
    formId: doc.formId,
    billNo: doc.billNo,
    payloadHash: contentHash(payload),
  };
}

function retryAfter(error: PipelineError): number | undefined {
  const value = (error as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof value === 'number' ? value : undefined;
}

/** How many reversal pairs a record went through (ledger keys `K`, `K#r1`, `K#v2`, `K#r2`, ...). */
const MAX_REVISIONS = 50;

interface VersionChain {
  /** The key of the version in force and its ledger entry (written). */
  readonly key: string;
  readonly entry: LedgerEntry;
  /** 1 for `K`, n for `K#v<n>`. */
  readonly revision: number;
  /** The version in force was reversed without a next version (withdrawn). */
  readonly reversed: boolean;
}

async function versionChain(
  ledger: LedgerRepository,
  key: string,
): Promise<VersionChain> {
  const keys = [key];
  for (let n = 1; n <= MAX_REVISIONS; n++)
    keys.push(`${key}#r${n}`, `${key}#v${n + 1}`);
  const entries = await ledger.load(keys);
  const isWritten = (k: string) => entries.get(k)?.state === 'written';
  let chain: VersionChain = {
    key,
    entry: entries.get(key) as LedgerEntry,
    revision: 1,
    reversed: false,
  };
  for (let n = 1; n <= MAX_REVISIONS; n++) {
    if (!isWritten(`${key}#r${n}`)) break;
    const next = `${key}#v${n + 1}`;
    if (!isWritten(next)) {
      chain = { ...chain, reversed: true };
      break;
    }
    chain = {
      key: next,
      entry: entries.get(next) as LedgerEntry,
      revision: n + 1,
      reversed: false,
    };
  }
  return chain;
}

/** A document of a reversal pair: its own key and bill number, never itself subject to the rule. */
function derived(
  item: Item,
  change: {
    documentKey: string;
    billNo: string;
    role: 'reversal' | 'version';
    document?: Record<string, unknown>;
  },
): Item {
  const {
    withdrawn: _withdrawn,
    changeAfterWrite: _rule,
    reversal: _reversal,
    ...rest
  } = item.doc;
  const doc: OutboundDocument = {
    ...rest,
    documentKey: change.documentKey,
    billNo: change.billNo,
    document: change.document ?? item.doc.document,
  };
  const payload = payloadOf(doc);
  return {
    index: 0,
    doc,
    payload,
    applyChange: false,
    role: change.role,
    ledgerDoc: ledgerDocument(doc, payload),
  };
}

/** `document` with every value at the dotted `paths` negated (arrays on the way: each element). */
export function negated(
  document: Record<string, unknown>,
  paths: readonly string[],
): Record<string, unknown> {
  const copy = structuredClone(document);
  for (const path of paths) negateAt(copy, path.split('.'));
  return copy;
}

function negateAt(value: unknown, path: readonly string[]): void {
  if (Array.isArray(value)) {
    for (const v of value) negateAt(v, path);
    return;
  }
  if (!isRecord(value) || path.length === 0) return;
  const [head, ...rest] = path as [string, ...string[]];
  if (rest.length > 0) return negateAt(value[head], rest);
  const v = value[head];
  if (typeof v === 'number') value[head] = v === 0 ? 0 : -v;
  else if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v))
    value[head] = v.startsWith('-') ? v.slice(1) : v === '0' ? v : `-${v}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A `changed_after_write` dead letter: both versions, the diff and why. */
function changedError(
  item: Item,
  before: unknown,
  kingdeeId: string | null | undefined,
  why?: string,
): ChangedAfterWriteError {
  const current = item.payload;
  const diff = before === null ? [] : payloadDiff(before, current);
  const shown = diff
    .slice(0, 5)
    .map(
      (d) =>
        `${d.path}: ${JSON.stringify(d.before)} -> ${JSON.stringify(d.after)}`,
    )
    .join('; ');
  return new ChangedAfterWriteError(
    `${item.doc.documentKey} changed after it was written to ${item.doc.target} (id ${kingdeeId ?? '?'})${why ? `: ${why}` : ''}${
      // A withdrawal's mapping is the written version: what changed is that the source no longer has it.
      item.doc.withdrawn
        ? ''
        : `: ${diff.length} difference(s)${shown ? `: ${shown}` : ''}`
    }`,
    {
      written: before,
      current: item.doc.withdrawn ? null : current,
      diff,
      ...(item.doc.withdrawn
        ? { withdrawn: { ...item.doc.withdrawn, mapped: current } }
        : {}),
    },
  );
}
