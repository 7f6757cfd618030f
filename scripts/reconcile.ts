/**
 * Reconciliation (不漏单): what the source holds vs what Kingdee holds, for one flow or all of them.
 *   tsx scripts/reconcile.ts (--flow <plan id> | --all) [--from T] [--to T] [--json] [--demo] [...]
 * See USAGE below and libs/reconcile/README.md.
 */
import {
  ConfigError,
  DEFAULT_DATABASE_URL,
  UsageError,
  loadConfigOrExit,
  parseCliArgs,
  runCliCommand,
  runIfStartedAs,
} from '@kingbridge/config';
import { sourcePlatformIdSchema } from '@kingbridge/source-registry';
import { createLogger } from '@kingbridge/observability';
import { createDataSource } from '@kingbridge/persistence';
import {
  K3CloudBillQueryInventory,
  PostgresPipelineState,
  SIMULATOR_DATASETS,
  SimulatorKingdeeInventory,
  SimulatorSourceInventory,
  formatReconcileReport,
  formatReconcileTable,
  reconcileFlow,
  reportClean,
  simulatorFormId,
  totalsFieldsOf,
  withMergeOverrides,
  type KingdeeInventory,
  type PipelineState,
  type ReconcileReport,
  type SourceInventory,
} from '@kingbridge/reconcile';
import { formatBeijingTime } from '@kingbridge/source-runtime';
import {
  InMemoryLookupProvider,
  RoutingLookupProvider,
  loadPlans,
  syncPlanSchema,
  type LookupRow,
  type SyncPlan,
} from '@kingbridge/transform-engine';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import {
  SourceApiInventory,
  type InventoryProgress,
} from '@kingbridge/source-connector';
import { k3cloudClientFromEnv } from '@kingbridge/sink-kingdee';
import type { K3CloudClient } from '@kingbridge/sink-kingdee-client';
import { k3cloudLookupRoutes } from '@kingbridge/transform';
import { demoServiceEnv } from './stack/demo-credentials';
import { SIMULATOR_PORTS, simulatorPort, simulatorUrls } from './stack/stack';
import { timeOption } from './operator-options';
import { readLookupTablesFile } from './lookups';

const USAGE = `usage: npx tsx scripts/reconcile.ts (--flow <plan id> | --all) [--from T] [--to T] [--json] [--demo]
         [--source api|simulator] [--kingdee api|simulator] [--kingdee-filter F] [--plans dir]
         [--lookups tables.json] [--source-url URL] [--kingdee-url URL]
         [--context-days N] [--in-flight-grace-s N] [--port-offset N]

Compares, per flow, the documents the source records of [from, to) should make with the documents Kingdee holds.
Both sides are cut by the flow's source time (its query's time field: consign time for shipped orders, modified
time otherwise); a Kingdee document made by records outside the range is "outside", not extra. Master data
(shops → customers) is compared as a whole set. Merge settings are the ones the running transform published
(transform.flow_settings in DATABASE_URL), never this shell's environment; merged ranges are cut to whole windows.

  --all            every flow of --plans, one table: flow, expected, written, in flight, missing, extra,
                   duplicate, changed (after write), Σqty, Σamount
  --flow ID        one flow, itemised (missing/extra/duplicate with source ids, per-day and per-group sums)
  --from, --to     ISO-8601 with offset, 'yyyy-MM-dd[ HH:mm[:ss]]' in Beijing time, or now / now-1h / now-2m
                   (default: --from now-1h --to now-2m); the resolved range is said back
  --demo           the local stack (npm start): simulator URLs and demo credentials
  --source api     (default) the platform's own API with the flow's query and the connector's client
  --source simulator  the source simulator's admin endpoint (range = creation time)
  --kingdee api    K3Cloud as the sink reaches it: ExecuteBillQuery with the sink's K3CLOUD_* variables (every
                   auth mode, secrets as env or *_FILE); the default without --demo. JDY and K3 WISE flows are
                   read from their simulators only (their query APIs are not built).
  --kingdee simulator  the Kingdee simulators' admin endpoint (counts every create); the default with --demo
  --kingdee-filter F   with --kingdee api: an extra FilterString for every form, e.g. "FDate >= '2026-11-01'"
  --json           machine-readable output (one report, or {range, flows, failed} with --all)
  --port-offset N  with --demo: the stack's ports shifted by N (a test stack beside the main job)
  --context-days N how far before --from documents are explained by earlier records (default 2)
  --in-flight-grace-s N  a record fetched this recently with nothing downstream yet is in transit (default 120)

In flight (not missing): records not fetched yet (after the connector's checkpoint), in an open merge window,
published but not transformed yet (within the grace), or being written (sink ledger not terminal).
Changed after write: Kingdee holds a document whose source was modified after it was written (both sums shown).
Exit code: 0 = nothing missing, extra or duplicate; 1 = differences; 2 = usage or setup error.
Env: DATABASE_URL (lookups, flow settings, pipeline state; default the main job's database), connector
variables for --source api without --demo (<PLATFORM>_BASE_URL, credentials or *_FILE), the sink's K3CLOUD_*
variables for --kingdee api (K3CLOUD_BASE_URL, K3CLOUD_ACCT_ID, K3CLOUD_USERNAME, K3CLOUD_AUTH_MODE, then
K3CLOUD_PASSWORD or K3CLOUD_APP_ID + K3CLOUD_APP_SECRET, each also as *_FILE).`;

const argsObjectSchema = z.object({
  flow: z.string().min(1).optional(),
  all: z.boolean(),
  from: z.string().default('now-1h'),
  to: z.string().default('now-2m'),
  json: z.boolean(),
  plans: z.string().default('plans'),
  lookups: z.string().optional(),
  sourceUrl: z.string().url().optional(),
  kingdeeUrl: z.string().url().optional(),
  source: z.enum(['api', 'simulator']).default('api'),
  kingdee: z.enum(['api', 'simulator']).optional(),
  kingdeeFilter: z.string().min(1).optional(),
  demo: z.boolean(),
  contextDays: z.coerce.number().positive().default(2),
  portOffset: z.coerce.number().int().min(0).default(0),
  inFlightGraceS: z.coerce.number().min(0).default(120),
});
const argsSchema = argsObjectSchema.refine(
  (a) => a.all !== (a.flow !== undefined),
  {
    message: 'give --flow <plan id> or --all',
    path: ['flow'],
  },
);
type Args = z.infer<typeof argsSchema>;

const STRING = { type: 'string' } as const;
const FLAG = { type: 'boolean', default: false } as const;

function parseArgs(argv: readonly string[]): Args {
  const { values } = parseCliArgs(argv, {
    options: {
      flow: STRING,
      all: FLAG,
      from: STRING,
      to: STRING,
      json: FLAG,
      plans: STRING,
      lookups: STRING,
      'source-url': STRING,
      'kingdee-url': STRING,
      source: STRING,
      kingdee: STRING,
      'kingdee-filter': STRING,
      demo: FLAG,
      'context-days': STRING,
      'port-offset': STRING,
      'in-flight-grace-s': STRING,
    },
  });
  const parsed = argsSchema.safeParse(
    Object.fromEntries(
      Object.entries(values).map(([name, value]) => [
        name.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase()),
        value,
      ]),
    ),
  );
  if (!parsed.success)
    throw new UsageError(
      parsed.error.issues
        .map(
          (x) =>
            `--${x.path.join('.').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${x.message}`,
        )
        .join('; '),
    );
  return parsed.data;
}

async function lookupTables(
  ds: DataSource,
): Promise<Record<string, LookupRow[]>> {
  const rows = (await ds.query(
    'SELECT table_name, row FROM transform.lookup_row ORDER BY id',
  )) as Array<{ table_name: string; row: LookupRow }>;
  const tables: Record<string, LookupRow[]> = {};
  for (const r of rows) (tables[r.table_name] ??= []).push(r.row);
  return tables;
}

/**
 * Each flow's effective plan as the running transform published it (transform.flow_settings); plans the
 * transform did not publish are taken from the files as they are.
 */
async function effectivePlans(
  ds: DataSource | undefined,
  filePlans: readonly SyncPlan[],
): Promise<{ plans: SyncPlan[]; published: Set<string> }> {
  const published = new Set<string>();
  if (!ds) return { plans: [...filePlans], published };
  let rows: Array<{ flow: string; plan: unknown }> = [];
  try {
    rows = (await ds.query(
      'SELECT flow, plan FROM transform.flow_settings',
    )) as typeof rows;
  } catch {
    return { plans: [...filePlans], published };
  }
  const stored = new Map(rows.map((r) => [r.flow, r.plan]));
  const plans = filePlans.map((p) => {
    const s = stored.get(p.id);
    if (s === undefined) return p;
    published.add(p.id);
    const full = syncPlanSchema.safeParse(s);
    if (full.success) return full.data;
    // A plan schema newer than the stored one: keep the file, take the merge timings the transform runs.
    const win = z
      .object({
        merge: z
          .object({
            window: z.object({
              size: z.union([z.string(), z.number()]),
              grace: z.union([z.string(), z.number()]),
              idleTimeout: z.union([z.string(), z.number()]),
            }),
          })
          .passthrough(),
      })
      .passthrough()
      .safeParse(s);
    if (!win.success) return p;
    const w = win.data.merge.window;
    return withMergeOverrides(p, {
      size: String(w.size),
      grace: String(w.grace),
      idleTimeout: String(w.idleTimeout),
    });
  });
  return { plans, published };
}

/** Progress on stderr while a long range is read (one rewritten line on a TTY). */
function progress(json: boolean): {
  say: (what: string) => void;
  windows: (p: InventoryProgress) => void;
  done: () => void;
} {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  const write = (text: string, force: boolean): void => {
    if (tty) process.stderr.write(`\r\x1b[2K${text}`);
    else if (force || Date.now() - last > 2000) {
      process.stderr.write(`${text}\n`);
      last = Date.now();
    }
  };
  return {
    say: (what) => write(`reconcile: ${what}`, true),
    windows: (p) =>
      write(
        `reconcile: ${p.stream}: window ${p.windowsDone}/${p.windowsTotal}, ${p.records} records`,
        p.windowsDone === p.windowsTotal && !json,
      ),
    done: () => {
      if (tty) process.stderr.write('\r\x1b[2K');
    },
  };
}

/** Reconciles one flow or all; returns the exit code (0 clean, 1 differences, 2 usage or setup error). */
export function run(argv: readonly string[]): Promise<number> {
  return runCliCommand(argv, { name: 'reconcile', usage: USAGE }, reconcile);
}

async function reconcile(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  const nowMs = Date.now();
  const fromMs = timeOption('from', args.from, nowMs);
  const toMs = timeOption('to', args.to, nowMs);
  if (fromMs >= toMs) throw new UsageError('--from must be before --to');
  const config = loadConfigOrExit(
    z.object({
      DATABASE_URL: z.string().url().default(DEFAULT_DATABASE_URL),
    }),
  );
  const filePlans = (await loadPlans(args.plans)).map((p) => p.plan);
  const chosen = args.all
    ? filePlans.filter((p) => p.enabled)
    : filePlans.filter((p) => p.id === args.flow);
  if (chosen.length === 0) {
    console.error(
      `no plan '${args.flow ?? ''}' in ${args.plans}; known: ${filePlans.map((p) => p.id).join(', ')}`,
    );
    return 2;
  }

  let ds: DataSource | undefined = createDataSource({
    url: config.DATABASE_URL,
    applicationName: 'kingbridge-reconcile',
  });
  try {
    await ds.initialize();
  } catch (err) {
    ds = undefined;
    if (!args.lookups) {
      console.error(
        `cannot reach Postgres (${(err as Error).message}): it holds the lookups, the flows' settings and the pipeline state; pass --lookups <tables.json> to reconcile without it`,
      );
      return 2;
    }
  }
  try {
    const tables = args.lookups
      ? await readLookupTablesFile(args.lookups)
      : await lookupTables(ds!);
    const { plans, published } = await effectivePlans(ds, filePlans);
    const pipeline: PipelineState | undefined = ds
      ? new PostgresPipelineState((sql, params) => ds.query(sql, params))
      : undefined;
    // The lookups the transform reads: its Postgres tables, and the plans' tables read from K3Cloud.
    const kingdeeEnv = {
      ...(args.demo
        ? { ...simulatorUrls(args.portOffset), ...demoServiceEnv() }
        : {}),
      ...process.env,
    };
    const k3cloud =
      (args.kingdee ?? (args.demo ? 'simulator' : 'api')) === 'api' &&
      chosen.some((p) => p.target.system === 'k3cloud')
        ? k3cloudReader(args, kingdeeEnv)
        : undefined;
    const lookups = new RoutingLookupProvider(
      new InMemoryLookupProvider(tables),
      await k3cloudLookupRoutes({
        PLANS_DIR: args.plans,
        K3CLOUD_BASE_URL:
          kingdeeEnv['K3CLOUD_BASE_URL'] ??
          `http://127.0.0.1:${SIMULATOR_PORTS.k3cloud + args.portOffset}/k3cloud/`,
        K3CLOUD_ACCT_ID: kingdeeEnv['K3CLOUD_ACCT_ID'],
        K3CLOUD_USERNAME: kingdeeEnv['K3CLOUD_USERNAME'],
        K3CLOUD_PASSWORD: kingdeeEnv['K3CLOUD_PASSWORD'],
      }),
    );
    const show = progress(args.json);
    const rangeText = `${formatBeijingTime(fromMs)} .. ${formatBeijingTime(toMs)} Beijing time (${new Date(fromMs).toISOString()} .. ${new Date(toMs).toISOString()})`;
    process.stderr.write(`reconcile: range ${rangeText}\n`);
    const reports: ReconcileReport[] = [];
    const failed: { flow: string; error: string }[] = [];
    for (const chosenPlan of chosen) {
      const plan = plans.find((p) => p.id === chosenPlan.id) ?? chosenPlan;
      if (!published.has(plan.id) && plan.merge)
        process.stderr.write(
          `reconcile: ${plan.id}: the transform has not published its settings (transform.flow_settings); using the plan file's merge window ${plan.merge.window.size}\n`,
        );
      try {
        const source = await sourceOf(args, plan, show.windows);
        reports.push(
          await reconcileFlow({
            plan,
            otherPlans: plans,
            source,
            sourceEntity:
              args.source === 'simulator'
                ? (SIMULATOR_DATASETS[
                    `${plan.source.platform}/${plan.source.entity}`
                  ] ?? plan.source.entity)
                : plan.source.entity,
            ...kingdeeOf(args, plan, k3cloud),
            range: { fromMs, toMs },
            lookups,
            ...(pipeline ? { pipeline } : {}),
            nowMs,
            contextMs: args.contextDays * 86_400_000,
            inFlightGraceMs: args.inFlightGraceS * 1000,
            onProgress: show.say,
          }),
        );
      } catch (err) {
        if (!args.all) throw err;
        failed.push({
          flow: plan.id,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
    show.done();
    if (args.json)
      process.stdout.write(
        `${JSON.stringify(
          args.all
            ? {
                range: {
                  from: new Date(fromMs).toISOString(),
                  to: new Date(toMs).toISOString(),
                },
                clean: failed.length === 0 && reports.every(reportClean),
                flows: reports,
                failed,
              }
            : reports[0],
          null,
          2,
        )}\n`,
      );
    else if (args.all) {
      process.stdout.write(`range ${rangeText}\n`);
      for (const r of reports)
        if (
          r.range.from !== new Date(fromMs).toISOString() &&
          r.scope === 'range'
        )
          process.stdout.write(
            `  ${r.flow}: whole merge windows ${r.range.from} .. ${r.range.to}\n`,
          );
        else if (r.scope === 'all')
          process.stdout.write(`  ${r.flow}: master data, every record now\n`);
      process.stdout.write(formatReconcileTable(reports, failed));
    } else process.stdout.write(formatReconcileReport(reports[0]!));
    if (failed.length > 0) return 2;
    return reports.every(reportClean) ? 0 : 1;
  } finally {
    await ds?.destroy();
  }
}

/**
 * Where a flow's Kingdee documents are read: K3Cloud through ExecuteBillQuery (`--kingdee api`, summing the
 * quantity and amount fields the plan writes) or the simulator's admin endpoint.
 */
function kingdeeOf(
  args: Args,
  plan: SyncPlan,
  k3cloud: K3CloudClient | undefined,
): { kingdee: KingdeeInventory; kingdeeFormId: string } {
  if (k3cloud && plan.target.system === 'k3cloud')
    return {
      kingdee: new K3CloudBillQueryInventory({
        client: k3cloud,
        totalsFields: totalsFieldsOf(plan.mapping),
        ...(args.kingdeeFilter ? { filter: args.kingdeeFilter } : {}),
      }),
      kingdeeFormId: plan.target.formId,
    };
  return {
    kingdee: new SimulatorKingdeeInventory(
      args.kingdeeUrl ?? kingdeeUrl(plan.target.system, args.portOffset),
    ),
    kingdeeFormId: simulatorFormId(plan.target.system, plan.target.formId),
  };
}

/** The sink's own K3Cloud client from the environment; a missing or bad variable is a setup error naming it. */
function k3cloudReader(
  args: Args,
  env: Record<string, string | undefined>,
): K3CloudClient {
  try {
    return k3cloudClientFromEnv({
      ...env,
      ...(args.kingdeeUrl ? { K3CLOUD_BASE_URL: args.kingdeeUrl } : {}),
    });
  } catch (err) {
    if (err instanceof ConfigError)
      throw new UsageError(
        `--kingdee api reads K3Cloud with the sink's settings: ${err.issues.join('; ')} (or --kingdee simulator with --demo)`,
      );
    throw err;
  }
}

function kingdeeUrl(system: string, offset: number): string {
  const port =
    system === 'jdy'
      ? SIMULATOR_PORTS.jdy
      : system === 'k3wise'
        ? SIMULATOR_PORTS.k3wise
        : SIMULATOR_PORTS.k3cloud;
  return `http://127.0.0.1:${port + offset}`;
}

async function sourceOf(
  args: Args,
  plan: SyncPlan,
  onProgress: (p: InventoryProgress) => void,
): Promise<SourceInventory> {
  const platform = sourcePlatformIdSchema.parse(plan.source.platform);
  if (args.source === 'simulator')
    return new SimulatorSourceInventory(
      args.sourceUrl ??
        `http://127.0.0.1:${simulatorPort(platform) + args.portOffset}`,
    );
  return SourceApiInventory.fromEnv(
    {
      ...(args.demo
        ? { ...simulatorUrls(args.portOffset), ...demoServiceEnv() }
        : {}),
      ...process.env,
      PLANS_DIR: args.plans,
      ...(args.sourceUrl
        ? { [`${platform.toUpperCase()}_BASE_URL`]: args.sourceUrl }
        : {}),
    },
    platform,
    plan.source.stream,
    createLogger('reconcile', 'error'),
    onProgress,
  );
}

runIfStartedAs('scripts/reconcile', 'reconcile', run);
