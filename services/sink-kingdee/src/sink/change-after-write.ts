import { NonRetriableError } from '@kingbridge/pipeline-core';

/** One leaf that differs between the written version and the new one (`before`/`after` absent = not there). */
export interface PayloadChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** What a `changed_after_write` dead letter holds: both versions and what differs. */
export interface ChangeDetails {
  readonly written: unknown;
  readonly current: unknown;
  readonly diff: readonly PayloadChange[];
  /** The source record left the plan's filter (`current` is null): why, and the record as last mapped. */
  readonly withdrawn?: { readonly reason: string; readonly mapped: unknown };
}

/** Leaf-by-leaf differences of two JSON values, in path order (`document.FEntity[0].FRealQty`). */
export function payloadDiff(before: unknown, after: unknown): PayloadChange[] {
  const out: PayloadChange[] = [];
  walk(before, after, '', out);
  return out;
}

function walk(
  before: unknown,
  after: unknown,
  path: string,
  out: PayloadChange[],
): void {
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++)
      walk(before[i], after[i], `${path}[${i}]`, out);
    return;
  }
  if (isObject(before) && isObject(after)) {
    const keys = [
      ...new Set([...Object.keys(before), ...Object.keys(after)]),
    ].sort();
    for (const key of keys)
      walk(before[key], after[key], path ? `${path}.${key}` : key, out);
    return;
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  out.push({
    path: path || '(root)',
    ...(before !== undefined ? { before } : {}),
    ...(after !== undefined ? { after } : {}),
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A document that changed after it was written; the dead letter stores `details`. */
export class ChangedAfterWriteError extends NonRetriableError {
  constructor(
    message: string,
    readonly details: ChangeDetails,
  ) {
    super(message, { errorClass: 'changed_after_write' });
  }
}

/** The details of a dead letter's error, when it carries some. */
export function detailsOf(error: unknown): ChangeDetails | undefined {
  return error instanceof ChangedAfterWriteError ? error.details : undefined;
}
