import type {
  SimulatorRegistration,
  SimulatorStartOptions,
} from '../simulators';
import { startJdySimulator } from './jdy/jdy.simulator';
import { startK3CloudSimulator } from './k3cloud/k3cloud.simulator';
import { startK3WiseSimulator } from './k3wise/k3wise.simulator';

/** Scenario section (validated by each simulator's zod schema) + the listen options from main.ts. */
function section(options: SimulatorStartOptions): Record<string, unknown> {
  const scenario =
    options.scenario !== null && typeof options.scenario === 'object'
      ? options.scenario
      : {};
  return {
    ...scenario,
    host: options.host,
    port: options.port,
    admin: options.adminEnabled,
  };
}

/** The three Kingdee targets; ports pinned in CONTRIBUTING.md. */
export const KINGDEE_SIMULATORS: SimulatorRegistration[] = [
  {
    name: 'k3cloud',
    defaultPort: 18201,
    start: (o) => startK3CloudSimulator(section(o)),
  },
  {
    name: 'jdy',
    defaultPort: 18202,
    start: (o) => startJdySimulator(section(o)),
  },
  {
    name: 'k3wise',
    defaultPort: 18203,
    start: (o) => startK3WiseSimulator(section(o)),
  },
];
