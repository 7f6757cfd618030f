import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pollUntil } from './poll-until.util';

const ROOT = resolve(__dirname, '../../..');

/**
 * A service's `services/<service>/src/main.ts` as a child process (tsx), as it runs in production: started once it
 * logs its 'http listening' line (LOG_LEVEL info or lower) and answers /health/ready.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private output = '';
  port: number | undefined;

  constructor(
    private readonly service: string,
    private readonly env: Record<string, string>,
  ) {}

  async start(): Promise<this> {
    this.output = '';
    this.port = undefined;
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
        `services/${this.service}/src/main.ts`,
      ],
      {
        cwd: ROOT,
        env: { PATH: process.env['PATH'] ?? '', TZ: 'UTC', ...this.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        // tsx runs the service in a child process: a process group lets kill -9 reach both.
        detached: true,
      },
    );
    this.child = child;
    const onData = (chunk: Buffer): void => {
      this.output += chunk.toString();
      const m = /"port":(\d+)[^\n]*"msg":"http listening"/.exec(this.output);
      if (m && this.port === undefined) this.port = Number(m[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    await pollUntil(() => this.port !== undefined || child.exitCode !== null, {
      timeoutMs: 30_000,
      description: `${this.service} http listening`,
    });
    if (this.port === undefined)
      throw new Error(
        `${this.service} exited (${String(child.exitCode)}):\n${this.output.slice(-2000)}`,
      );
    await pollUntil(
      async () => {
        const res = await fetch(`http://127.0.0.1:${this.port}/health/ready`);
        return res.status === 200;
      },
      {
        timeoutMs: 40_000,
        intervalMs: 200,
        description: `${this.service} ready`,
      },
    );
    return this;
  }

  async metrics(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.port}/metrics`);
    return res.text();
  }

  /** kill -9: no shutdown hook runs, nothing is committed on the way out. */
  async kill9(): Promise<void> {
    if (await this.signalGroup('SIGKILL'))
      await this.groupGone('process group gone after SIGKILL');
  }

  /** Waits until the process exited on its own (e.g. a test fault point SIGKILLed it), and its group is gone. */
  async exited(timeoutMs = 60_000): Promise<void> {
    const child = this.child;
    if (!child) throw new Error(`${this.service} never started`);
    await pollUntil(
      () => child.exitCode !== null || child.signalCode !== null,
      { timeoutMs, description: `${this.service} process exited` },
    );
    if (this.groupAlive()) process.kill(-(child.pid as number), 'SIGKILL');
    await this.groupGone('process group gone');
  }

  async stop(): Promise<void> {
    await this.signalGroup('SIGTERM');
  }

  /** Sends `signal` to the running process's group and waits for the process to exit; false when none runs. */
  private async signalGroup(signal: NodeJS.Signals): Promise<boolean> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null)
      return false;
    const exited = new Promise<void>((done) =>
      child.once('exit', () => done()),
    );
    process.kill(-(child.pid as number), signal);
    await exited;
    return true;
  }

  private async groupGone(what: string): Promise<void> {
    await pollUntil(() => !this.groupAlive(), {
      timeoutMs: 5_000,
      intervalMs: 20,
      description: `${this.service} ${what}`,
    });
  }

  private groupAlive(): boolean {
    try {
      process.kill(-(this.child?.pid as number), 0);
      return true;
    } catch {
      return false;
    }
  }

  logs(): string {
    return this.output;
  }
}
