import {
  registration,
  type SimulatorRegistration,
} from '../simulator-registration';
import { startJdySimulator } from './jdy/jdy.simulator';
import { startK3CloudSimulator } from './k3cloud/k3cloud.simulator';
import { startK3WiseSimulator } from './k3wise/k3wise.simulator';

/** The three Kingdee targets; ports pinned in CONTRIBUTING.md. */
export const KINGDEE_SIMULATORS: SimulatorRegistration[] = [
  registration('k3cloud', 18201, startK3CloudSimulator, 'admin'),
  registration('jdy', 18202, startJdySimulator, 'admin'),
  registration('k3wise', 18203, startK3WiseSimulator, 'admin'),
];
