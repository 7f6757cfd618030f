import { loadConfigOrExit } from '@kingbridge/config';
import { ZodError } from 'zod';
import { createLogger } from '@kingbridge/observability';
import { readScenarioFile } from './common';
import { startWdtSalesOrderFeeder } from './demo/wdt-sales-orders.feeder';
import type { K3CloudSimulator } from './kingdee/k3cloud/k3cloud.simulator';
import { SIMULATORS, type StartedSimulator } from './simulators';
import type { SourceSimulator } from './sources/source-kit';
import { simulatorsConfigSchema } from './simulators.config';

async function main(): Promise<void> {
  // Only our own variables: unrelated `*_FILE` variables of the host must not break start-up.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => k.startsWith('SIM_') || k === 'LOG_LEVEL',
    ),
  );
  const config = loadConfigOrExit(simulatorsConfigSchema, env);
  const logger = createLogger('simulators', config.LOG_LEVEL);
  const scenario = config.SIM_SCENARIO
    ? readScenarioFile(config.SIM_SCENARIO)
    : {};
  const selected = SIMULATORS.filter(
    (s) => !config.SIM_ONLY || config.SIM_ONLY.includes(s.name),
  );
  const unknown = (config.SIM_ONLY ?? []).filter(
    (n) => !SIMULATORS.some((s) => s.name === n),
  );
  if (unknown.length > 0) {
    logger.fatal(
      { unknown, known: SIMULATORS.map((s) => s.name) },
      'unknown simulator in SIM_ONLY',
    );
    process.exit(1);
  }
  const running: StartedSimulator[] = [];
  const byName = new Map<string, StartedSimulator>();
  for (const sim of selected) {
    const port = sim.defaultPort + config.SIM_PORT_OFFSET;
    let started: StartedSimulator;
    try {
      started = await sim.start({
        host: config.SIM_HOST,
        port,
        adminEnabled: config.SIM_ADMIN,
        scenario: scenario[sim.name] ?? {},
      });
    } catch (err) {
      const issues =
        err instanceof ZodError
          ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
          : [err instanceof Error ? err.message : String(err)];
      logger.fatal(
        { simulator: sim.name, port, issues },
        'simulator failed to start',
      );
      await Promise.all(running.map((r) => r.close()));
      process.exit(1);
    }
    running.push(started);
    byName.set(sim.name, started);
    logger.info(
      { simulator: sim.name, url: started.url, admin: config.SIM_ADMIN },
      'simulator listening',
    );
  }
  // The demo world's order entry: K3Cloud holds the sales order of every WDT stock-out (seed 001 links to it).
  const wdt = byName.get('wdt');
  const k3cloud = byName.get('k3cloud');
  const feeder =
    wdt && k3cloud
      ? startWdtSalesOrderFeeder({
          // The registrations return the simulators' own handles.
          wdt: wdt as unknown as SourceSimulator,
          k3cloud: k3cloud as unknown as K3CloudSimulator,
          intervalMs: 200,
          onError: (message) =>
            logger.debug({ simulator: 'k3cloud' }, `sales orders: ${message}`),
        })
      : undefined;
  const stop = (): void => {
    feeder?.stop();
    void Promise.all(running.map((r) => r.close())).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main().catch((err: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', msg: err instanceof Error ? err.message : String(err) })}\n`,
  );
  process.exit(1);
});
