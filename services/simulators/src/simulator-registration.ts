/** What `main.ts` starts: one registration per simulator (`SIMULATORS` in simulators.ts). */
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

/**
 * Scenario section + listen options -> the simulator's own options object (validated by the simulator's
 * zod schema). `adminKey` names the admin switch in that schema (`adminEnabled` sources, `admin` Kingdee).
 */
export function withListen<T = Record<string, unknown>>(
  options: SimulatorStartOptions,
  adminKey: 'adminEnabled' | 'admin' = 'adminEnabled',
): T {
  const section =
    options.scenario !== null && typeof options.scenario === 'object'
      ? options.scenario
      : {};
  return {
    ...section,
    host: options.host,
    port: options.port,
    [adminKey]: options.adminEnabled,
  } as T;
}

/** A registration whose `start` gets the scenario section with the listen options (see `withListen`). */
export function registration<T>(
  name: string,
  defaultPort: number,
  start: (options: T) => Promise<StartedSimulator>,
  adminKey: 'adminEnabled' | 'admin' = 'adminEnabled',
): SimulatorRegistration {
  return {
    name,
    defaultPort,
    start: (o) => start(withListen<T>(o, adminKey)),
  };
}
