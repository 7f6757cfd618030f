/*
 * A Kingbridge service as its own process, as in production: `node --import tsx services/<svc>/src/main.ts`
 * (one process, so /proc gives its CPU and memory; Node flags of the run: BENCH_NODE_OPTIONS, e.g.
 * `--max-semi-space-size=64`). HTTP on port 0; the port is read from the
 * 'http listening' log line; ready when /health/ready answers 200.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './records';
import { processStats, type ProcessStats } from './proc';

export interface ServiceOptions {
  readonly service: 'transform' | 'sink-kingdee' | 'source-connector';
  readonly env: Record<string, string>;
  /** Folder for a V8 CPU profile (`--cpu-prof`) written when the process stops. */
  readonly cpuProfDir?: string;
  readonly readyTimeoutMs?: number;
}

const sleep = (ms: number): Promise<void> =>
  new Promise((done) => setTimeout(done, ms));

export class ServiceProcess {
  private child: ChildProcess | undefined;
  private output = '';
  port: number | undefined;

  constructor(private readonly options: ServiceOptions) {}

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  async start(): Promise<this> {
    const { service, env, cpuProfDir } = this.options;
    const child = spawn(
      process.execPath,
      [
        ...(process.env['BENCH_NODE_OPTIONS'] ?? '').split(' ').filter(Boolean),
        ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []),
        '--import',
        'tsx',
        join('services', service, 'src/main.ts'),
      ],
      {
        cwd: ROOT,
        env: {
          PATH: process.env['PATH'] ?? '',
          TZ: 'UTC',
          HTTP_PORT: '0',
          LOG_LEVEL: 'info',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    const onData = (chunk: Buffer): void => {
      // Keep the tail only: a long run logs a lot.
      this.output = (this.output + chunk.toString()).slice(-20_000);
      const m = /"port":(\d+)[^\n]*"msg":"http listening"/.exec(this.output);
      if (m && this.port === undefined) this.port = Number(m[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 90_000);
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(
          `${service} exited (${child.exitCode}):\n${this.output.slice(-2000)}`,
        );
      if (this.port !== undefined && (await this.ready())) return this;
      if (Date.now() > deadline)
        throw new Error(
          `${service} not ready in time:\n${this.output.slice(-2000)}`,
        );
      await sleep(100);
    }
  }

  async ready(): Promise<boolean> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.port}/health/ready`);
      return res.status === 200;
    } catch {
      return false;
    }
  }

  async metrics(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.port}/metrics`);
    return res.text();
  }

  stats(): ProcessStats | undefined {
    return processStats(this.pid);
  }

  /** SIGTERM and wait (the CPU profile is written on a clean exit). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) =>
      child.once('exit', () => done()),
    );
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }

  logs(): string {
    return this.output;
  }

  /** `fieldPath: reason` of the first record the service dead-lettered (from its log tail), if any. */
  firstDeadLetter(): string | undefined {
    for (const line of this.output.split('\n')) {
      if (!line.includes('dead-lettered')) continue;
      try {
        const entry = JSON.parse(line) as {
          fieldPath?: string;
          reason?: string;
        };
        return `${entry.fieldPath ?? '?'}: ${entry.reason ?? '?'}`;
      } catch {
        continue;
      }
    }
    return undefined;
  }
}

/** Sum of a Prometheus counter/gauge over the series whose labels include every `labels` pair. */
export function metricValue(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const body = m[3] ?? '';
    if (Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`)))
      total += Number(m[4]);
  }
  return total;
}
