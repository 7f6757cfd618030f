/**
 * Registry of every simulator `main.ts` starts. To add one, append a `SimulatorRegistration`
 * to `SIMULATORS` (its port is pinned in CONTRIBUTING.md).
 */
import { KINGDEE_SIMULATORS } from './kingdee/kingdee.registrations';
import {
  registration,
  type SimulatorRegistration,
} from './simulator-registration';
import { startJackyunSimulator } from './sources/jackyun/jackyun.simulator';
import { startJushuitanSimulator } from './sources/jushuitan/jushuitan.simulator';
import { startWdtSimulator } from './sources/wdt/wdt.simulator';
import { startXiaomanSimulator } from './sources/xiaoman/xiaoman.simulator';

export const SIMULATORS: SimulatorRegistration[] = [
  registration('jackyun', 18101, startJackyunSimulator),
  registration('wdt', 18102, startWdtSimulator),
  registration('jushuitan', 18103, startJushuitanSimulator),
  registration('xiaoman', 18104, startXiaomanSimulator),
  ...KINGDEE_SIMULATORS,
];

export type {
  SimulatorRegistration,
  SimulatorStartOptions,
  StartedSimulator,
} from './simulator-registration';
