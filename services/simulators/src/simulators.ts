/**
 * Registry of every simulator `main.ts` starts. To add one, append a `SimulatorRegistration`
 * to `SIMULATORS` (its port is pinned in CONTRIBUTING.md).
 */
import { KINGDEE_SIMULATORS } from './kingdee/kingdee.registrations';
import {
  withListen,
  type SimulatorRegistration,
} from './simulator-registration';
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

export type {
  SimulatorRegistration,
  SimulatorStartOptions,
  StartedSimulator,
} from './simulator-registration';
