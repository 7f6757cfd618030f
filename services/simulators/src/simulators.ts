/**
 * Registry of every simulator `main.ts` starts. To add one, append a `SimulatorRegistration`
 * to `SIMULATORS` (its port is pinned in CONTRIBUTING.md).
 */
import { KINGDEE_SIMULATORS } from './kingdee/kingdee.registrations';
import {
  startJackyunSimulator,
  type JackyunOptions,
} from './sources/jackyun/jackyun.simulator';
import {
  startJushuitanSimulator,
  type JushuitanOptions,
} from './sources/jushuitan/jushuitan.simulator';
import {
  startWdtSimulator,
  type WdtOptions,
} from './sources/wdt/wdt.simulator';
import {
  startXiaomanSimulator,
  type XiaomanOptions,
} from './sources/xiaoman/xiaoman.simulator';

export interface SimulatorStartOptions {
  host: string;
  port: number;
  adminEnabled: boolean;
  /** This simulator's section of the scenario file (unvalidated; the simulator parses it with zod), or {}. */
  scenario: unknown;
}

export interface StartedSimulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface SimulatorRegistration {
  /** Key in the scenario file and in `SIM_ONLY`. */
  name: string;
  defaultPort: number;
  start(options: SimulatorStartOptions): Promise<StartedSimulator>;
}

/** Scenario section + listen options -> the simulator's own options object. */
function withListen<T>(options: SimulatorStartOptions): T {
  const section =
    options.scenario !== null && typeof options.scenario === 'object'
      ? options.scenario
      : {};
  return {
    ...section,
    host: options.host,
    port: options.port,
    adminEnabled: options.adminEnabled,
  } as T;
}

export const SIMULATORS: SimulatorRegistration[] = [
  {
    name: 'jackyun',
    defaultPort: 18101,
    start: (o) => startJackyunSimulator(withListen<JackyunOptions>(o)),
  },
  {
    name: 'wdt',
    defaultPort: 18102,
    start: (o) => startWdtSimulator(withListen<WdtOptions>(o)),
  },
  {
    name: 'jushuitan',
    defaultPort: 18103,
    start: (o) => startJushuitanSimulator(withListen<JushuitanOptions>(o)),
  },
  {
    name: 'xiaoman',
    defaultPort: 18104,
    start: (o) => startXiaomanSimulator(withListen<XiaomanOptions>(o)),
  },
  ...KINGDEE_SIMULATORS,
];
