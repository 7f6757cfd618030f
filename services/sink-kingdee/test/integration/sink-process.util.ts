import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { OutboundDocument } from '@kingbridge/contracts';
import type { K3CloudSimulatorOptions } from '@kingbridge/simulators';
import { sinkEnv, type SinkHarness } from './sink.harness';

const ROOT = resolve(__dirname, '../../../..');
const MAIN = resolve(ROOT, 'services/sink-kingdee/src/main.ts');

/** The sink's main.ts in a child process (crash tests kill it with SIGKILL). */
export function startSinkProcess(env: Record<string, string>): ChildProcess {
  // node itself with the tsx loader (not the tsx CLI, which would run the sink in a grandchild
  // that SIGKILL would not reach).
  return spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Resolves once the child has exited (at once when it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
  });
}

/** The environment of a sink process joining the harness's topics and consumer group. */
export function processEnv(
  h: SinkHarness,
  extra: Record<string, string> = {},
): Record<string, string> {
  return sinkEnv(h.sim, {
    TOPIC_PREFIX: h.config.TOPIC_PREFIX,
    SINK_GROUP_ID: h.config.SINK_GROUP_ID,
    // The killed member holds its partitions until its session times out.
    SINK_SESSION_TIMEOUT_MS: '6000',
    ...extra,
  });
}

/** Stops a sink process still running (SIGTERM) and waits for it to exit. */
export async function stopProcess(
  child: ChildProcess | undefined,
): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await exited(child);
}

/** Kills the sink process with SIGKILL (kill -9) and waits for it to be gone. */
export async function killNow(child: ChildProcess | undefined): Promise<void> {
  if (!child) return;
  child.kill('SIGKILL');
  await exited(child);
}

/** The document with every entry row's FRealQty set to `qty` (the source record changed). */
export function withQty(doc: OutboundDocument, qty: number): OutboundDocument {
  const lines = doc.document['FEntity'] as Array<Record<string, unknown>>;
  return {
    ...doc,
    document: {
      ...doc.document,
      FEntity: lines.map((l) => ({ ...l, FRealQty: qty })),
    },
  };
}

/**
 * The K3Cloud simulator of the crash tests: duplicate bill numbers accepted (no unique number rule, so a blind
 * re-send shows up as a second bill), every request `latencyMs`, and `count` BatchSaves after the first `skip`
 * stored but never answered (the sender hears nothing).
 */
export function unansweredBatchSaves(options: {
  latencyMs: number;
  skip: number;
  count: number;
}): K3CloudSimulatorOptions {
  return {
    uniqueBillNo: false,
    faults: {
      latency: { kind: 'fixed', ms: options.latencyMs },
      lostResponseMode: 'hang',
      queue: [
        {
          fault: 'lost-response',
          pathContains: 'BatchSave',
          count: options.count,
          skip: options.skip,
        },
      ],
    },
  };
}
