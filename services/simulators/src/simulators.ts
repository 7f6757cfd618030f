/**
 * Registry of every simulator `main.ts` starts. To add one, append a `SimulatorRegistration`
 * (its port is pinned in CONTRIBUTING.md).
 */
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

export const SIMULATORS: SimulatorRegistration[] = [];
