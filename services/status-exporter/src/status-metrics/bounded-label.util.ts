import { OVERFLOW_LABEL_VALUE } from './status-metrics.constant';

/**
 * Keeps a metric label bounded whatever the events contain: values must match
 * `pattern` and only the first `maxValues` distinct ones are kept;
 * everything else maps to `other`. The set of series can therefore never grow
 * past `maxValues + 1` for this label.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(
    readonly name: string,
    private readonly maxValues: number,
    private readonly pattern: RegExp,
  ) {}

  /** The label value to use for `raw`. */
  value(raw: string): string {
    if (this.seen.has(raw)) return raw;
    if (!this.pattern.test(raw) || raw === OVERFLOW_LABEL_VALUE) {
      return OVERFLOW_LABEL_VALUE;
    }
    if (this.seen.size >= this.maxValues) return OVERFLOW_LABEL_VALUE;
    this.seen.add(raw);
    return raw;
  }

  /** Distinct values admitted so far (excluding `other`). */
  get size(): number {
    return this.seen.size;
  }
}
