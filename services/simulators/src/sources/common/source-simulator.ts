import type { AdminRoute, SimServerSpec } from '../../common';
import { createSourceAdmin, type AdminDataset } from '../source-admin';
import { startSourceServer, type SourceSimulator } from '../source-kit';
import type { SourceBaseOptions } from '../source-options.schema';
import type { SourceState } from './source-state';

/** A platform's part of a source simulator: its datasets for the admin surface, its protocol and its resets. */
export interface SourceProtocol extends Pick<
  SimServerSpec,
  'name' | 'endpointOf' | 'handle' | 'platformError'
> {
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
  const { datasets, onReset, ...spec } = protocol;
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
  const server = await startSourceServer(state, state.opts, admin, spec);
  return { ...server, admin: admin.api };
}
