import type { OutboundDocument } from '@kingbridge/contracts';

/**
 * The plan's `target.idCheck` (the seeds' duplicate check): before the first
 * write of a document — nothing in the ledger yet — the sink asks Kingdee
 * whether its bill number exists. An existing bill is recorded as already
 * written instead of being saved again (a bill of that number with other
 * content is a conflict, as after any uncertain write); a missing one is sent.
 */
export function asksKingdeeFirst(
  doc: Pick<OutboundDocument, 'idCheck'>,
  entry: unknown,
): boolean {
  return doc.idCheck === true && entry === undefined;
}
