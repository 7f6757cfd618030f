import {
  withListen,
  type SimulatorRegistration,
} from '../simulator-registration';
import { startJdySimulator } from './jdy/jdy.simulator';
import { startK3CloudSimulator } from './k3cloud/k3cloud.simulator';
import { startK3WiseSimulator } from './k3wise/k3wise.simulator';

/** The three Kingdee targets; ports pinned in CONTRIBUTING.md. */
export const KINGDEE_SIMULATORS: SimulatorRegistration[] = [
  {
    name: 'k3cloud',
    defaultPort: 18201,
    start: (o) => startK3CloudSimulator(withListen(o, 'admin')),
  },
  {
    name: 'jdy',
    defaultPort: 18202,
    start: (o) => startJdySimulator(withListen(o, 'admin')),
  },
  {
    name: 'k3wise',
    defaultPort: 18203,
    start: (o) => startK3WiseSimulator(withListen(o, 'admin')),
  },
];
