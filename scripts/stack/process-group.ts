import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** A long-running child process of the stack. */
export interface ProcessSpec {
  readonly name: string;
  /** Script run with tsx, relative to the repo root. */
  readonly script: string;
  readonly args?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Port of /health/ready (services) or of the process itself (simulators). */
  readonly port?: number;
  /** Readiness URL; the stack waits for a 2xx before starting the next group. */
  readonly readyUrl?: string;
}

export interface RunningProcess {
  readonly spec: ProcessSpec;
  child: ChildProcess;
  exited: boolean;
  exitCode: number | null;
  restarts: number;
}

/**
 * Starts and stops the stack's processes. Output goes to one log file per
 * process (JSON lines from the services), so the console stays readable.
 */
export class ProcessGroup {
  private readonly procs = new Map<string, RunningProcess>();

  constructor(
    private readonly root: string,
    private readonly logDir: string,
    private readonly baseEnv: Readonly<
      Record<string, string | undefined>
    > = process.env,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  start(spec: ProcessSpec): RunningProcess {
    const log = createWriteStream(join(this.logDir, `${spec.name}.log`), {
      flags: 'a',
    });
    // `node --import tsx` runs the service in this very process: a SIGKILL reaches the service itself
    // (the tsx CLI would fork a grandchild that survives its parent's kill -9).
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', spec.script, ...(spec.args ?? [])],
      {
        cwd: this.root,
        env: { ...this.baseEnv, ...spec.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: false,
      },
    );
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    const running: RunningProcess = {
      spec,
      child,
      exited: false,
      exitCode: null,
      restarts: this.procs.get(spec.name)?.restarts ?? 0,
    };
    child.on('exit', (code) => {
      running.exited = true;
      running.exitCode = code;
    });
    this.procs.set(spec.name, running);
    return running;
  }

  get(name: string): RunningProcess | undefined {
    return this.procs.get(name);
  }

  all(): RunningProcess[] {
    return [...this.procs.values()];
  }

  /** SIGKILL one process (fault injection). */
  kill9(name: string): void {
    this.procs.get(name)?.child.kill('SIGKILL');
  }

  /** Restarts a process with the same spec. */
  async restart(name: string): Promise<RunningProcess> {
    const p = this.procs.get(name);
    if (!p) throw new Error(`unknown process ${name}`);
    await stopOne(p, 15_000);
    const next = this.start(p.spec);
    next.restarts = p.restarts + 1;
    return next;
  }

  /** SIGTERM everything in reverse start order, SIGKILL what is left after the grace period. */
  async stopAll(graceMs = 20_000): Promise<void> {
    const list = [...this.procs.values()].reverse();
    await Promise.all(list.map((p) => stopOne(p, graceMs)));
  }
}

async function stopOne(p: RunningProcess, graceMs: number): Promise<void> {
  if (p.exited) return;
  const done = new Promise<void>((resolve) => {
    if (p.exited) resolve();
    p.child.once('exit', () => resolve());
  });
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}

/** Polls `url` until it answers 2xx. */
export async function waitForHttp(
  url: string,
  timeoutMs: number,
  isAlive: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`process behind ${url} exited`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`);
}
