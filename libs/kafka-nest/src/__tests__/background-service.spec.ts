import { PassThrough } from 'node:stream';
import { createLogger } from '@kingbridge/observability';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackgroundService, type StartFailure } from '../background-service';

/** A service whose start waits until it is released or aborted, then fails or not as told. */
class Probe extends BackgroundService {
  readonly calls: string[] = [];
  private release: ((err?: Error) => void) | undefined;

  constructor(
    readonly lines: string[],
    onFailure: StartFailure,
    private readonly idle = false,
  ) {
    const out = new PassThrough();
    out.on('data', (b: Buffer) =>
      lines.push(...b.toString().split('\n').filter(Boolean)),
    );
    super(createLogger('probe', 'info', out), onFailure, 'probe failed');
  }

  reason(): string {
    return this.notReadyReason;
  }

  finish(err?: Error): void {
    this.release?.(err);
  }

  protected prepare(): 'start' | 'idle' {
    this.calls.push('prepare');
    return this.idle ? 'idle' : 'start';
  }

  protected async start(signal: AbortSignal): Promise<void> {
    this.calls.push('start');
    await new Promise<void>((resolve, reject) => {
      this.release = (err) => (err ? reject(err) : resolve());
      signal.addEventListener('abort', () =>
        reject(new Error('aborted by shutdown')),
      );
    });
  }

  protected async stop(started: Promise<void>): Promise<void> {
    this.calls.push('stop');
    await started;
    this.calls.push('stopped after start settled');
  }
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('BackgroundService', () => {
  it('should stay up with the failure as the not-ready reason when a stay-up start fails', async () => {
    const lines: string[] = [];
    const probe = new Probe(lines, 'stay-up');
    probe.onApplicationBootstrap();
    expect(probe.reason()).toBe('starting');
    probe.finish(new Error('broker said no'));
    await flush();

    expect(probe.reason()).toBe('probe failed: broker said no');
    const line = JSON.parse(lines.at(-1) ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({
      msg: 'probe failed',
      err: 'probe failed: broker said no',
    });
    expect(process.exitCode).toBeUndefined();
  });

  it('should set exit code 1 and send itself SIGTERM when an exit start fails', async () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const lines: string[] = [];
    const probe = new Probe(lines, 'exit');
    probe.onApplicationBootstrap();
    probe.finish(new Error('no database'));
    await flush();

    expect(kill).toHaveBeenCalledWith(process.pid, 'SIGTERM');
    expect(process.exitCode).toBe(1);
    expect(JSON.parse(lines.at(-1) ?? '{}')).toMatchObject({
      msg: 'probe failed',
      err: 'no database',
    });
  });

  it('should abort the start, not count it as a failure and stop after it settled when shut down while starting', async () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const lines: string[] = [];
    const probe = new Probe(lines, 'exit');
    probe.onApplicationBootstrap();
    await probe.onApplicationShutdown();

    expect(probe.calls).toEqual([
      'prepare',
      'start',
      'stop',
      'stopped after start settled',
    ]);
    expect(kill).not.toHaveBeenCalled();
    expect(lines.filter((l) => l.includes('probe failed'))).toEqual([]);
  });

  it('should not start when prepare finds nothing to run, and still stop', async () => {
    const probe = new Probe([], 'stay-up', true);
    probe.onApplicationBootstrap();
    await probe.onApplicationShutdown();

    expect(probe.calls).toEqual([
      'prepare',
      'stop',
      'stopped after start settled',
    ]);
  });
});
