import type { z } from 'zod';
import {
  SlidingWindowLimiter,
  type FaultInjector,
  type RequestLog,
} from '../../common';
import type { RecordsSpec, SourceDataset } from '../source-dataset';
import {
  dataControl,
  primaryDataset,
  sourcePlumbing,
  type DataControl,
} from '../source-kit';
import type {
  RuntimeOptions,
  SourceBaseOptions,
} from '../source-options.schema';

/** The per-second / per-minute call limits every source platform has (0 = unlimited). */
export interface RateLimitOptions {
  rateLimit: { perSecond: number; perMinute: number };
}

/** What one source simulator holds while it runs: its options, plumbing, main dataset, data rates and limiter. */
export interface SourceState<O, T, C> {
  readonly opts: O;
  readonly clock: () => number;
  readonly faults: FaultInjector;
  readonly log: RequestLog;
  readonly anchor: number;
  readonly historyMs: number;
  /** The main dataset (the one the connector syncs). */
  readonly dataset: SourceDataset<T>;
  readonly rates: DataControl;
  /** The app's call-rate windows; refuses with the platform's throttle code. */
  readonly limiter: SlidingWindowLimiter<C>;
}

/** How a platform configures the shared state: its options schema, record shape, generator and throttle codes. */
export interface SourceStateSpec<S extends z.ZodType, T, C> {
  optionsSchema: S;
  dataset: RecordsSpec<T>;
  /** The platform's throttle code, or one per window. */
  throttle: C | { perSecond: C; perMinute: C };
}

/**
 * Parses a `start*Simulator` input (scenario options plus the programmatic clock / fixtures) and builds the
 * state every source simulator starts from.
 */
export function createSourceState<
  S extends z.ZodType<SourceBaseOptions & RateLimitOptions>,
  T,
  C,
>(
  spec: SourceStateSpec<S, T, C>,
  input: z.input<S> & RuntimeOptions<T>,
): SourceState<z.output<S>, T, C> {
  const {
    clock: clockOpt,
    fixtures: fixturesOpt,
    ...rest
  } = input as RuntimeOptions<T> & Record<string, unknown>;
  const opts: z.output<S> = spec.optionsSchema.parse(rest);
  const base = sourcePlumbing(opts, clockOpt, spec.dataset.schema, fixturesOpt);
  const dataset = primaryDataset<T>(spec.dataset, opts, base);
  const codes =
    typeof spec.throttle === 'object' && spec.throttle !== null
      ? (spec.throttle as { perSecond: C; perMinute: C })
      : { perSecond: spec.throttle as C, perMinute: spec.throttle as C };
  return {
    ...base,
    opts,
    dataset,
    rates: dataControl(dataset, opts, base.clock),
    limiter: new SlidingWindowLimiter<C>([
      {
        limit: opts.rateLimit.perSecond,
        windowMs: 1000,
        code: codes.perSecond,
      },
      {
        limit: opts.rateLimit.perMinute,
        windowMs: 60_000,
        code: codes.perMinute,
      },
    ]),
  };
}
