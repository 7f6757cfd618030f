import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { freePort } from '@kingbridge/pipeline-core';

const sampleSchema = z.object({
  metric: z.record(z.string(), z.string()),
  value: z.tuple([z.number(), z.string()]).optional(),
  values: z.array(z.tuple([z.number(), z.string()])).optional(),
});

export const queryResponseSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.object({
      resultType: z.enum(['vector', 'matrix', 'scalar', 'string']),
      result: z.union([
        z.array(sampleSchema),
        z.tuple([z.number(), z.string()]),
      ]),
    }),
  }),
  z.object({
    status: z.literal('error'),
    errorType: z.string(),
    error: z.string(),
  }),
]);
export type QueryResponse = z.infer<typeof queryResponseSchema>;

/** Instant query via the HTTP API (`/api/v1/query`); never throws on a PromQL error. */
export async function queryPrometheus(
  baseUrl: string,
  expr: string,
): Promise<QueryResponse> {
  const res = await fetch(`${baseUrl}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query: expr }).toString(),
  });
  return queryResponseSchema.parse(await res.json());
}

/** Number of series (vector/matrix) or 1 for a scalar; 0 for an error. */
export function resultSize(response: QueryResponse): number {
  if (response.status !== 'success') return 0;
  const { resultType, result } = response.data;
  if (resultType === 'scalar' || resultType === 'string') return 1;
  return (result as unknown[]).length;
}

const rulesResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    groups: z.array(
      z.object({
        name: z.string(),
        file: z.string(),
        rules: z.array(
          z.object({
            name: z.string(),
            type: z.enum(['recording', 'alerting']),
            health: z.string(),
            lastError: z.string().optional(),
          }),
        ),
      }),
    ),
  }),
});
export type LoadedRule = z.infer<
  typeof rulesResponseSchema
>['data']['groups'][number]['rules'][number] & {
  readonly group: string;
};

/** Every loaded rule with its evaluation health (`ok` / `err` / `unknown` before the first evaluation). */
export async function loadedRules(baseUrl: string): Promise<LoadedRule[]> {
  const res = await fetch(`${baseUrl}/api/v1/rules`);
  const body = rulesResponseSchema.parse(await res.json());
  return body.data.groups.flatMap((g) =>
    g.rules.map((r) => ({ ...r, group: g.name })),
  );
}

export interface PrometheusProcess {
  readonly url: string;
  stop(): Promise<void>;
}

export interface StartPrometheusOptions {
  /** Targets scraped as `job_name -> host:port[]`. */
  readonly targets: Readonly<Record<string, readonly string[]>>;
  /** Absolute paths of rule files. */
  readonly ruleFiles: readonly string[];
  /** Scrape and evaluation interval (default 1s). */
  readonly interval?: string;
  /** `prometheus` binary (default `PROMETHEUS` or `prometheus` from PATH). */
  readonly binary?: string;
  readonly readyTimeoutMs?: number;
  /** Alertmanagers (`host:port`) the rules' alerts are sent to. */
  readonly alertmanagers?: readonly string[];
}

/**
 * Starts a throw-away Prometheus (Debian's binary) on a free loopback port
 * with a generated config and a temporary TSDB; `stop()` ends it and removes
 * the directory. For tests: the fixed port 19090 stays free for the stack.
 */
export async function startPrometheus(
  options: StartPrometheusOptions,
): Promise<PrometheusProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'kb-prometheus-'));
  const interval = options.interval ?? '1s';
  const config = {
    global: {
      scrape_interval: interval,
      scrape_timeout: interval,
      evaluation_interval: interval,
    },
    rule_files: [...options.ruleFiles],
    ...(options.alertmanagers
      ? {
          alerting: {
            alertmanagers: [
              { static_configs: [{ targets: [...options.alertmanagers] }] },
            ],
          },
        }
      : {}),
    scrape_configs: Object.entries(options.targets).map(([job, targets]) => ({
      job_name: job,
      static_configs: [{ targets: [...targets] }],
    })),
  };
  writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const stop = await startReadyProcess({
    name: 'prometheus',
    binary: options.binary ?? process.env['PROMETHEUS'] ?? 'prometheus',
    args: [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    readyUrl: `${url}/-/ready`,
    dir,
    installHint:
      'install it with `apt-get install -y --no-install-recommends prometheus` or set PROMETHEUS=/path/to/prometheus',
    readyTimeoutMs: options.readyTimeoutMs ?? 20_000,
  });
  return { url, stop };
}

export interface ReadyProcessOptions {
  readonly name: string;
  readonly binary: string;
  readonly args: readonly string[];
  /** Polled until it answers 2xx. */
  readonly readyUrl: string;
  /** Removed when the process stops (or fails to start). */
  readonly dir: string;
  readonly installHint: string;
  readonly readyTimeoutMs: number;
}

/**
 * Spawns a server binary and resolves with its `stop()` once `readyUrl`
 * answers; throws with the binary's last stderr when it exits or is not
 * ready in time.
 */
export async function startReadyProcess(
  o: ReadyProcessOptions,
): Promise<() => Promise<void>> {
  const child: ChildProcess = spawn(o.binary, [...o.args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    // A missing binary emits 'error' and never 'exit'.
    child.once('error', (err) => {
      spawnError = err;
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (
      spawnError === undefined &&
      child.exitCode === null &&
      child.signalCode === null
    ) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(o.dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + o.readyTimeoutMs;
  for (;;) {
    if (spawnError !== undefined) {
      rmSync(o.dir, { recursive: true, force: true });
      throw new Error(
        `cannot start ${o.name} (${spawnError.message}): ${o.installHint}`,
      );
    }
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`${o.name} exited with ${child.exitCode}: ${stderr}`);
    }
    const ready = await fetch(o.readyUrl).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return stop;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${o.name} not ready on ${o.readyUrl}: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
