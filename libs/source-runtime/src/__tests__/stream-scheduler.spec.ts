import { createLogger } from '@kingbridge/observability';
import { describe, expect, it } from 'vitest';
import { pollUntil } from '@kingbridge/testing';
import type { RunOutcome, StreamRunner } from '../stream-runner';
import { StreamScheduler } from '../stream-runner';

/** A runner that records when its runs start and end; the first run of `slowFirst` ends only when released. */
function fakeRunner(
  id: string,
  entity: string,
  events: string[],
  slowFirst?: Promise<void>,
): StreamRunner {
  let runs = 0;
  const fake = {
    stream: { id, entity, platform: 'jackyun', remediationCron: '0 0 * * *' },
    stopped: undefined,
    async runIncremental(): Promise<RunOutcome> {
      runs += 1;
      events.push(`${id}:start:${runs}`);
      if (runs === 1 && slowFirst) await slowFirst;
      events.push(`${id}:end:${runs}`);
      return { status: 'ok', windows: 1, published: 0, deduplicated: 0 };
    },
    nextRemediationAt: () => Promise.resolve(new Date(8.64e15)),
    runRemediation: () => Promise.resolve({ status: 'aborted' } as RunOutcome),
  };
  return fake as unknown as StreamRunner;
}

describe('StreamScheduler', () => {
  it("should start a connector's other streams only once its master-data stream's first run (the full scan) is over", async () => {
    const events: string[] = [];
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const scheduler = new StreamScheduler(
      [
        fakeRunner('orders', 'sales-order', events),
        fakeRunner('shops', 'sales-channel', events, slow),
      ],
      60_000,
      createLogger('test', 'error'),
    );
    scheduler.start();
    await pollUntil(() => events.includes('shops:start:1'));
    // The full scan is still running: the order stream has not started.
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['shops:start:1']);
    release();
    await pollUntil(() => events.includes('orders:end:1'));
    expect(events.indexOf('shops:end:1')).toBeLessThan(
      events.indexOf('orders:start:1'),
    );
    await scheduler.stop();
  });
});
