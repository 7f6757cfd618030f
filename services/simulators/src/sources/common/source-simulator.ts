import type { z } from 'zod';
import type {
  AdminRoute,
  SimRequest,
  SimResult,
  SimServerSpec,
} from '../../common';
import { createSourceAdmin, type AdminDataset } from '../source-admin';
import { startSourceServer, type SourceSimulator } from '../source-kit';
import type {
  RuntimeOptions,
  SourceBaseOptions,
} from '../source-options.schema';
import {
  createSourceState,
  type RateLimitOptions,
  type SourceState,
  type SourceStateSpec,
} from './source-state';

/** A platform's answers to the simulator stack's own refusals. */
export interface SourceErrors {
  /** An unknown path (the handler answers one the same way). */
  notFound(): SimResult;
  /** A body over the size limit. */
  tooLarge(): SimResult;
  /** An injected `error` fault (`fault`) or a handler crash (`rejected`). */
  unavailable(outcome: 'fault' | 'rejected'): SimResult;
}

/** A platform's part of a source simulator: its datasets for the admin surface, its protocol and its resets. */
export interface SourceProtocol extends Pick<
  SimServerSpec,
  'name' | 'endpointOf' | 'handle'
> {
  /** The platform's answers to the stack's own refusals, or per request (a router in front of the API). */
  errors: SourceErrors | ((req: SimRequest) => SourceErrors);
  /** Every dataset the admin surface serves, the main one first. */
  datasets: AdminDataset[];
  /** Admin routes of the platform's own (e.g. token revocation). */
  adminRoutes?: AdminRoute[];
  /** Platform state to forget on reset (tokens, cursors…), after datasets, limiter and data rates. */
  onReset?(): void;
}

/**
 * Starts a source simulator from its state and protocol: the admin surface (records, data, reset of datasets,
 * limiter and rates) and the one simulator HTTP stack.
 */
export async function startSourceSimulator<T, C>(
  state: SourceState<
    Pick<SourceBaseOptions, 'host' | 'port' | 'adminEnabled'>,
    T,
    C
  >,
  protocol: SourceProtocol,
): Promise<SourceSimulator> {
  const { datasets, onReset, errors, ...spec } = protocol;
  const admin = createSourceAdmin({
    datasets,
    faults: state.faults,
    log: state.log,
    clock: state.clock,
    setData: state.rates.setData,
    onReset: () => {
      state.limiter.reset();
      state.rates.reset();
      onReset?.();
    },
  });
  const server = await startSourceServer(state, state.opts, admin, {
    ...spec,
    platformError: (kind, req) => {
      const e = typeof errors === 'function' ? errors(req) : errors;
      return kind === 'not_found'
        ? e.notFound()
        : kind === 'too_large'
          ? e.tooLarge()
          : e.unavailable(kind === 'fault' ? 'fault' : 'rejected');
    },
  });
  return { ...server, admin: admin.api };
}

/** One platform's source simulator: its state from a `start*Simulator` input, and its start. */
export interface SourceDefinition<S extends z.ZodType, T, C> {
  state(input: z.input<S> & RuntimeOptions<T>): SourceState<z.output<S>, T, C>;
  /** A `start*Simulator` for the protocol the platform builds on its state. */
  start(
    protocol: (state: SourceState<z.output<S>, T, C>) => SourceProtocol,
  ): (input?: z.input<S> & RuntimeOptions<T>) => Promise<SourceSimulator>;
}

/** Defines a source simulator by its options schema, main records and throttle code(s). */
export function defineSource<
  S extends z.ZodType<SourceBaseOptions & RateLimitOptions>,
  T,
  C,
>(
  optionsSchema: S,
  dataset: SourceStateSpec<S, T, C>['dataset'],
  throttle: SourceStateSpec<S, T, C>['throttle'],
): SourceDefinition<S, T, C> {
  const state = (
    input: z.input<S> & RuntimeOptions<T>,
  ): SourceState<z.output<S>, T, C> =>
    createSourceState({ optionsSchema, dataset, throttle }, input);
  return {
    state,
    start: (protocol) => async (input) => {
      const s = state(input ?? ({} as z.input<S> & RuntimeOptions<T>));
      return startSourceSimulator(s, protocol(s));
    },
  };
}
