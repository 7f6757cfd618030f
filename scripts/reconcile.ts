/**
 * Reconciliation of one flow (不漏单): what the source holds vs what Kingdee holds.
 *   tsx scripts/reconcile.ts --flow <plan id> --from <ISO> --to <ISO> [--json] [--source api|simulator]
 *       [--plans dir] [--lookups tables.json] [--source-url URL] [--kingdee-url URL]
 * Source records in [from, to) (latest version each) run through the flow's plan with the transform's
 * lookups (Postgres `transform.lookup_row`, or --lookups file) and are compared with the Kingdee
 * documents of the plan's form (simulator admin endpoints; SIM_ADMIN=1).
 * --source api (default): the platform's own API with the flow's query and the production client,
 *   configured like the connector (`<PLATFORM>_BASE_URL`, credentials or `*_FILE`); the range means
 *   what the query means (e.g. consign time for shipped orders, modified time otherwise).
 *   --demo fills in the local stack's simulator URLs and demo credentials (npm start).
 * --source simulator: the source simulator's admin endpoint; the range is the record's creation time.
 * Exit code: 0 = no missing/duplicate/mismatch, 1 = differences found, 2 = usage or setup error.
 * Env: DATABASE_URL, MERGE_WINDOW_SIZE, MERGE_GRACE, MERGE_IDLE_TIMEOUT (same overrides as the transform).
 */
import { readFile } from 'node:fs/promises';
import { DEFAULT_DATABASE_URL, loadConfigOrExit } from '@kingbridge/config';
import { sourcePlatformSchema } from '@kingbridge/contracts';
import { createLogger } from '@kingbridge/observability';
import { createDataSource } from '@kingbridge/persistence';
import {
  SIMULATOR_DATASETS,
  SimulatorKingdeeInventory,
  SimulatorSourceInventory,
  formatReconcileReport,
  reconcileFlow,
  simulatorFormId,
} from '@kingbridge/reconcile';
import {
  InMemoryLookupProvider,
  loadPlans,
  type LookupRow,
} from '@kingbridge/transform-engine';
import { z } from 'zod';
import { SourceApiInventory } from '../services/source-connector/src/reconcile/source-api.inventory';
import { demoServiceEnv } from './stack/demo-credentials';
import { simulatorUrls } from './stack/stack';

const SOURCE_PORTS: Readonly<Record<string, number>> = {
  jackyun: 18101,
  wdt: 18102,
  jushuitan: 18103,
  xiaoman: 18104,
};
const KINGDEE_PORTS: Readonly<Record<string, number>> = {
  k3cloud: 18201,
  jdy: 18202,
  k3wise: 18203,
};

const argsSchema = z.object({
  flow: z.string().min(1),
  from: z.string().datetime({ offset: true }),
  to: z.string().datetime({ offset: true }),
  json: z.boolean(),
  plans: z.string().default('plans'),
  lookups: z.string().optional(),
  sourceUrl: z.string().url().optional(),
  kingdeeUrl: z.string().url().optional(),
  source: z.enum(['api', 'simulator']).default('api'),
  demo: z.boolean(),
});

const USAGE =
  'usage: tsx scripts/reconcile.ts --flow <plan id> --from <ISO> --to <ISO> [--json] [--source api|simulator] [--demo] [--plans dir] [--lookups tables.json] [--source-url URL] [--kingdee-url URL]';

function parseArgs(argv: readonly string[]): z.infer<typeof argsSchema> {
  const raw: Record<string, unknown> = { json: false, demo: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') raw.json = true;
    else if (a === '--demo') raw.demo = true;
    else if (a.startsWith('--')) {
      raw[
        a.slice(2).replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase())
      ] = argv[++i];
    } else throw new Error(`unexpected argument ${a}`);
  }
  const parsed = argsSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      parsed.error.issues
        .map((x) => `--${x.path.join('.')}: ${x.message}`)
        .join('; '),
    );
  return parsed.data;
}

async function lookupsFromPostgres(
  url: string,
): Promise<Record<string, LookupRow[]>> {
  const ds = createDataSource({ url, applicationName: 'kingbridge-reconcile' });
  await ds.initialize();
  try {
    const rows = (await ds.query(
      'SELECT table_name, row FROM transform.lookup_row ORDER BY id',
    )) as Array<{
      table_name: string;
      row: LookupRow;
    }>;
    const tables: Record<string, LookupRow[]> = {};
    for (const r of rows) (tables[r.table_name] ??= []).push(r.row);
    return tables;
  } finally {
    await ds.destroy();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let args: z.infer<typeof argsSchema>;
  try {
    args = parseArgs(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const config = loadConfigOrExit(
    z.object({
      DATABASE_URL: z.string().url().default(DEFAULT_DATABASE_URL),
      MERGE_WINDOW_SIZE: z.string().optional(),
      MERGE_GRACE: z.string().optional(),
      MERGE_IDLE_TIMEOUT: z.string().optional(),
    }),
  );
  const plans = (await loadPlans(args.plans)).map((p) => p.plan);
  const plan = plans.find((p) => p.id === args.flow);
  if (!plan) {
    console.error(
      `no plan '${args.flow}' in ${args.plans}; known: ${plans.map((p) => p.id).join(', ')}`,
    );
    return 2;
  }
  let tables: Record<string, LookupRow[]>;
  if (args.lookups) {
    tables = JSON.parse(await readFile(args.lookups, 'utf8')) as Record<
      string,
      LookupRow[]
    >;
  } else {
    try {
      tables = await lookupsFromPostgres(config.DATABASE_URL);
    } catch (err) {
      console.error(
        `cannot read lookup tables from Postgres (${(err as Error).message}); pass --lookups <tables.json>`,
      );
      return 2;
    }
  }
  const sourceUrl =
    args.sourceUrl ??
    `http://127.0.0.1:${SOURCE_PORTS[plan.source.platform] ?? 0}`;
  const platform = sourcePlatformSchema.parse(plan.source.platform);
  const source =
    args.source === 'simulator'
      ? new SimulatorSourceInventory(sourceUrl)
      : await SourceApiInventory.fromEnv(
          {
            ...(args.demo ? { ...simulatorUrls(), ...demoServiceEnv() } : {}),
            ...process.env,
            PLANS_DIR: args.plans,
            ...(args.sourceUrl
              ? { [`${platform.toUpperCase()}_BASE_URL`]: args.sourceUrl }
              : {}),
          },
          platform,
          plan.source.stream,
          createLogger('reconcile', 'warn'),
        );
  const report = await reconcileFlow({
    plan,
    otherPlans: plans,
    source,
    sourceEntity:
      args.source === 'simulator'
        ? (SIMULATOR_DATASETS[
            `${plan.source.platform}/${plan.source.entity}`
          ] ?? plan.source.entity)
        : plan.source.entity,
    kingdee: new SimulatorKingdeeInventory(
      args.kingdeeUrl ??
        `http://127.0.0.1:${KINGDEE_PORTS[plan.target.system] ?? 0}`,
    ),
    kingdeeFormId: simulatorFormId(plan.target.system, plan.target.formId),
    range: { fromMs: Date.parse(args.from), toMs: Date.parse(args.to) },
    lookups: new InMemoryLookupProvider(tables),
    mergeOverrides: {
      size: config.MERGE_WINDOW_SIZE,
      grace: config.MERGE_GRACE,
      idleTimeout: config.MERGE_IDLE_TIMEOUT,
    },
  });
  process.stdout.write(
    args.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : formatReconcileReport(report),
  );
  const c = report.counts;
  return c.missing + c.duplicate + c.mismatch + c.extra > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(
      `reconcile: ${err instanceof Error ? err.message : String(err)}`,
    );
    process.exit(2);
  },
);
