import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseCliArgs, runCliCommand } from '@kingbridge/config';
import { dropDatabase, ensureDatabase } from '@kingbridge/persistence';
import { loadPlans } from '@kingbridge/transform-engine';
import { loadLookups } from '../lookups';
import { migrateAll } from '../migrate';
import { lookupTables } from './demo-master-data';
import {
  CONNECTORS,
  ROOT,
  SERVICE_PORTS,
  demoStackEnv,
  infra,
  infraRunning,
  startStack,
} from './stack';
import { ProcessGroup } from './process-group';
import { flowRows, renderTable, scrape } from './summary';

/**
 * The main job: infrastructure up, migrations, master data, simulators with live data, every service, and a live
 * per-flow summary on the console. Ctrl-C stops everything it started, Kafka and Prometheus included.
 */
async function main(): Promise<void> {
  // The stack's own settings; the services read theirs through loadConfig.
  const databaseUrl =
    process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/kingbridge';
  const kafkaBrokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
  const adminToken = process.env.ADMIN_TOKEN ?? randomBytes(24).toString('hex');
  const logDir = join(ROOT, '.cache/run/logs');
  const scenario = join(ROOT, 'deploy/local/scenario.live.yaml');

  console.log('kingbridge: starting Kafka and Prometheus');
  // Stop on exit only what this job started (a broker already running for other work stays up).
  const started = {
    kafka: !infraRunning('kafka'),
    prometheus: !infraRunning('prometheus'),
  };
  // The default demo world starts fresh (simulators in memory, database recreated): so does a broker this job
  // starts itself, or raw records and dead letters of an earlier world would come back.
  infra(
    'kafka',
    'up',
    started.kafka && process.env.DATABASE_URL === undefined
      ? { KAFKA_FRESH: '1' }
      : {},
  );
  infra('prometheus', 'up');
  if (!started.kafka && process.env.DATABASE_URL === undefined)
    console.warn(
      `kingbridge: warning: reusing the Kafka broker already running on ${kafkaBrokers}; its topics keep what earlier ` +
        'runs (or tests pointed at it) published, so dead letters and traces may show records this fresh demo world ' +
        'did not make. Stop it first (bash deploy/local/kafka.sh down) for a clean demo.',
    );
  console.log('kingbridge: migrating the database');
  if (process.env.DATABASE_URL === undefined) {
    // The simulators hold their data in memory, so the default demo database starts fresh with them: a ledger
    // from an earlier run would skip documents the new (empty) Kingdee simulators have never seen.
    await dropDatabase(databaseUrl);
  }
  await ensureDatabase(databaseUrl);
  await migrateAll(databaseUrl);
  await seedMasterData(databaseUrl);
  const plans = (await loadPlans(join(ROOT, 'plans'))).map((p) => p.plan);

  console.log(`kingbridge: starting services (logs in ${logDir})`);
  const group = new ProcessGroup(ROOT, logDir);
  let stopping = false;
  const stop = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`\nkingbridge: stopping (${why})`);
    await group.stopAll();
    stopInfra();
    console.log('kingbridge: stopped, nothing left running');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('Ctrl-C'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  const stopInfra = (): void => {
    if (started.prometheus) infra('prometheus', 'down');
    if (started.kafka) infra('kafka', 'down');
  };
  await startStack(
    {
      databaseUrl,
      kafkaBrokers,
      logDir,
      adminToken,
      scenarioFile: existsSync(scenario) ? scenario : undefined,
      onReady: (name, ms) =>
        console.log(`  ${name} ready (${(ms / 1000).toFixed(1)}s)`),
      extraEnv: demoStackEnv(process.env),
    },
    120_000,
    group,
  ).catch((err: unknown) => {
    stopInfra();
    throw err;
  });

  console.log(
    [
      'kingbridge: running. Ctrl-C stops everything.',
      '  Prometheus      http://127.0.0.1:19090',
      ...CONNECTORS.map(
        (c) =>
          `  metrics ${c.id.padEnd(10)} http://127.0.0.1:${c.port}/metrics`,
      ),
      ...Object.entries(SERVICE_PORTS).map(
        ([n, p]) => `  metrics ${n.padEnd(16)} http://127.0.0.1:${p}/metrics`,
      ),
      `  admin token     ${adminToken.slice(0, 4)}… (set ADMIN_TOKEN to choose it)`,
    ].join('\n'),
  );
  const interactive = process.stdout.isTTY === true;
  for (;;) {
    await new Promise((r) => setTimeout(r, interactive ? 2_000 : 15_000));
    if (stopping) return;
    const dead = group.all().filter((p) => p.exited);
    for (const p of dead) {
      console.log(
        `kingbridge: ${p.spec.name} exited (${p.exitCode}); restarting — see ${join(logDir, `${p.spec.name}.log`)}`,
      );
      group.start(p.spec);
    }
    const [connectors, transform, sink, exporter] = await Promise.all([
      Promise.all(CONNECTORS.map((c) => scrape(c.port))).then((a) => a.flat()),
      scrape(SERVICE_PORTS.transform),
      scrape(SERVICE_PORTS['sink-kingdee']),
      scrape(SERVICE_PORTS['status-exporter']),
    ]);
    const table = renderTable(
      flowRows(
        plans,
        { connectors, transform, sink, exporter },
        Date.now() / 1000,
      ),
    );
    if (interactive)
      process.stdout.write(
        `\x1b[2J\x1b[H${new Date().toISOString()}  Kingbridge live (Ctrl-C to stop)\n\n${table}\n`,
      );
    else console.log(`${new Date().toISOString()}\n${table}`);
  }
}

/** Loads the lookup tables the seed plans' `_findCollection` need (the demo world's master data). */
async function seedMasterData(databaseUrl: string): Promise<void> {
  const loaded = await loadLookups(databaseUrl, lookupTables());
  console.log(
    `kingbridge: master data loaded (${loaded.map((t) => `${t.table} ${t.rows}`).join(', ')})`,
  );
}

const START_USAGE = `usage: npm start   (tsx scripts/stack/main.ts)
  the main job: Kafka, Prometheus, migrations, master data, the simulators with live data and every service, with a
  live per-flow summary; Ctrl-C stops everything it started. Env: DATABASE_URL, KAFKA_BROKERS, ADMIN_TOKEN`;

runCliCommand(
  process.argv.slice(2),
  { name: 'kingbridge', usage: START_USAGE },
  async (args) => {
    parseCliArgs(args, {});
    await main();
    return 0;
  },
).then(
  // The stack exits through its Ctrl-C handler: set the code only, never cut that short.
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(
      `kingbridge: ${err instanceof Error ? err.message : String(err)}`,
    );
    process.exit(1);
  },
);
