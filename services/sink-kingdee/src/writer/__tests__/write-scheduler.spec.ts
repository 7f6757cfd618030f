import type { KingdeeTarget } from '@kingbridge/contracts';
import type {
  KingdeeWriter,
  RowOutcome,
  WriteRequest,
} from '@kingbridge/sink-kingdee-client';
import { pollUntil } from '@kingbridge/testing';
import { describe, expect, it } from 'vitest';
import { WriteScheduler, type WriteGroup } from '../write-scheduler';

/** A writer that answers after `delayMs` and records every request (a real loopback would add nothing here). */
class RecordingWriter implements KingdeeWriter {
  readonly target = 'k3cloud' as const;
  readonly requests: string[][] = [];
  readonly signals: Array<AbortSignal | undefined> = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly delayMs: number) {}
  maxRowsPerRequest(): number {
    return 1000;
  }
  async write(request: WriteRequest): Promise<RowOutcome[]> {
    this.requests.push(request.rows.map((r) => r.billNo));
    this.signals.push(request.signal);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, this.delayMs));
    this.inFlight--;
    return request.rows.map((r) => ({
      kind: 'written',
      id: r.billNo,
      number: r.billNo,
    }));
  }
  async findBills(): Promise<Map<string, { id: string; number: string }>> {
    return new Map();
  }
}

const group = (batchRows: number): WriteGroup => ({
  target: 'k3cloud',
  formId: 'SAL_OUTSTOCK',
  operation: 'BatchSave',
  options: {},
  batchRows,
});

function scheduler(
  writer: RecordingWriter,
  concurrency: number,
  lingerMs: number,
  lingerIdleMs?: number,
): WriteScheduler {
  return new WriteScheduler({
    writers: new Map<KingdeeTarget, KingdeeWriter>([['k3cloud', writer]]),
    concurrency: { k3cloud: concurrency, jdy: 1, k3wise: 1 },
    lingerMs,
    ...(lingerIdleMs !== undefined ? { lingerIdleMs } : {}),
  });
}

/** Submits one row `billNo` under key `key` (one-row batches unless `batchRows`). */
function submitRow(
  s: WriteScheduler,
  key: string,
  billNo: string,
  signal?: AbortSignal,
  batchRows = 1,
): Promise<RowOutcome> {
  return s.submit({
    key,
    group: group(batchRows),
    row: { billNo, document: {} },
    ...(signal ? { signal } : {}),
  });
}

async function firstRequestSent(writer: RecordingWriter): Promise<void> {
  await pollUntil(() => writer.requests.length >= 1, {
    timeoutMs: 2000,
    intervalMs: 5,
    description: 'first request sent',
  });
}

describe('WriteScheduler', () => {
  it('should send full batches of batchRows and respect the concurrency limit when many rows are queued', async () => {
    const writer = new RecordingWriter(20);
    const s = scheduler(writer, 2, 1000);
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        s.submit({
          key: `k${i}`,
          group: group(10),
          row: { billNo: `B${i}`, document: {} },
        }),
      ),
    );
    expect(outcomes.every((o) => o.kind === 'written')).toBe(true);
    expect(writer.requests.map((r) => r.length)).toEqual([10, 10, 10, 10, 10]);
    expect(writer.maxInFlight).toBe(2);
  });

  it('should flush a partial batch after the linger time', async () => {
    const writer = new RecordingWriter(1);
    const s = scheduler(writer, 2, 30);
    const started = Date.now();
    await Promise.all(
      [1, 2, 3].map((i) =>
        s.submit({
          key: `k${i}`,
          group: group(10),
          row: { billNo: `B${i}`, document: {} },
        }),
      ),
    );
    expect(writer.requests).toEqual([['B1', 'B2', 'B3']]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('should send a partial batch once no row joined it for the idle time, not after the whole linger', async () => {
    const writer = new RecordingWriter(5);
    const s = scheduler(writer, 2, 2000, 30);
    const started = performance.now();
    await Promise.all([
      submitRow(s, 'a', 'A', undefined, 10),
      submitRow(s, 'b', 'B', undefined, 10),
    ]);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(writer.requests).toEqual([['A', 'B']]);
  });

  it('should keep a partial batch open while rows keep arriving', async () => {
    const writer = new RecordingWriter(5);
    const s = scheduler(writer, 2, 5000, 150);
    const rows: Array<Promise<RowOutcome>> = [];
    // A row every 20 ms (well under the 150 ms idle time) for 200 ms: one request, sent by the idle time after the last.
    for (let i = 0; i < 10; i++) {
      rows.push(submitRow(s, `k${i}`, `B${i}`, undefined, 100));
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(rows);
    expect(writer.requests.map((r) => r.length)).toEqual([10]);
  });

  it('should never put two documents with the same key in flight and keep their order', async () => {
    const writer = new RecordingWriter(10);
    const s = scheduler(writer, 4, 0);
    await Promise.all([
      s.submit({
        key: 'same',
        group: group(10),
        row: { billNo: 'first', document: {} },
      }),
      s.submit({
        key: 'other',
        group: group(10),
        row: { billNo: 'x', document: {} },
      }),
      s.submit({
        key: 'same',
        group: group(10),
        row: { billNo: 'second', document: {} },
      }),
    ]);
    const first = writer.requests.findIndex((r) => r.includes('first'));
    const second = writer.requests.findIndex((r) => r.includes('second'));
    expect(first).toBeGreaterThanOrEqual(0);
    expect(second).toBeGreaterThan(first);
    expect(
      writer.requests.every(
        (r) => !(r.includes('first') && r.includes('second')),
      ),
    ).toBe(true);
  });

  it('should not send rows given up while queued and abort a request only once all its rows are given up', async () => {
    const writer = new RecordingWriter(200);
    const s = scheduler(writer, 1, 0);
    const revoked = new AbortController();
    const kept = new AbortController();
    // The first request occupies the only slot; the next two rows wait in the queue.
    const first = submitRow(s, 'a', 'A', revoked.signal);
    const queued = [
      submitRow(s, 'b', 'B', revoked.signal),
      submitRow(s, 'c', 'C', kept.signal),
    ];
    await firstRequestSent(writer);
    revoked.abort();
    const [a, b, c] = await Promise.all([first, ...queued]);
    // The writer ignores the signal (like a request already at Kingdee): A still completes.
    expect(a).toMatchObject({ kind: 'written' });
    expect(b).toMatchObject({
      kind: 'failed',
      error: { message: expect.stringContaining('not sent (aborted)') },
    });
    expect(c).toMatchObject({ kind: 'written' });
    expect(writer.requests).toEqual([['A'], ['C']]);
    // Request A's only row was given up: its signal aborted; C's was not.
    expect(writer.signals.map((x) => x?.aborted)).toEqual([true, false]);
  });

  it('should answer rows given up while queued at once, not when a slot frees', async () => {
    const writer = new RecordingWriter(300);
    const s = scheduler(writer, 1, 0);
    const revoked = new AbortController();
    const busy = submitRow(s, 'a', 'A');
    const queued = submitRow(s, 'b', 'B', revoked.signal);
    await firstRequestSent(writer);
    revoked.abort();
    const outcome = await Promise.race([
      queued,
      busy.then(() => 'slot freed first' as const),
    ]);
    expect(outcome).toMatchObject({
      kind: 'failed',
      error: { message: expect.stringContaining('not sent (aborted)') },
    });
    await busy;
    expect(writer.requests).toEqual([['A']]);
  });

  it('should abort a request of rows from two batches only once both are given up', async () => {
    const writer = new RecordingWriter(300);
    const s = scheduler(writer, 1, 50);
    const one = new AbortController();
    const two = new AbortController();
    const rows = [
      submitRow(s, 'a', 'A', one.signal, 2),
      submitRow(s, 'b', 'B', two.signal, 2),
    ];
    await firstRequestSent(writer);
    const signal = writer.signals[0];
    one.abort();
    expect(signal?.aborted).toBe(false);
    two.abort();
    expect(signal?.aborted).toBe(true);
    await Promise.all(rows);
    expect(writer.requests).toEqual([['A', 'B']]);
  });
});
