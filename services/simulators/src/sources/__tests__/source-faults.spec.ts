import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatBeijing } from '../../common';
import {
  startJushuitanSimulator,
  type JushuitanOptions,
} from '../jushuitan/jushuitan.simulator';
import type { SourceSimulator } from '../source-kit';

const SECRET = 'e9c5ca33fecb404b8e6cdbd0ef4a6d25';
const NOW = Date.parse('2026-05-10T04:00:00Z');
let now = NOW;
const running: SourceSimulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  now = NOW;
});

async function start(options: JushuitanOptions = {}): Promise<SourceSimulator> {
  const sim = await startJushuitanSimulator({
    anchor: NOW,
    initialRecords: 50,
    rateLimit: { perSecond: 0, perMinute: 0 },
    clock: () => now,
    ...options,
  });
  running.push(sim);
  return sim;
}

function form(): string {
  const params: Record<string, string> = {
    app_key: '5b53060f23d84ddf9703056e84fa5a2d',
    access_token: 'd7b01bf0842a4742a9450e21ffd95f60',
    timestamp: String(Math.floor(now / 1000)),
    charset: 'utf-8',
    version: '2',
    biz: JSON.stringify({
      modified_begin: formatBeijing(NOW - 86_400_000),
      modified_end: formatBeijing(NOW),
      page_size: 50,
    }),
  };
  const body = Object.keys(params)
    .sort()
    .map((k) => k + params[k])
    .join('');
  params['sign'] = createHash('md5')
    .update(SECRET + body)
    .digest('hex');
  return new URLSearchParams(params).toString();
}

function post(sim: SourceSimulator, signal?: AbortSignal): Promise<Response> {
  return fetch(`${sim.url}/open/inventory/count/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form(),
    ...(signal ? { signal } : {}),
  });
}

async function codes(sim: SourceSimulator, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++)
    out.push(((await (await post(sim)).json()) as { code: number }).code);
  return out;
}

describe('source simulator faults, admin and data life', () => {
  it('should fire platform errors at roughly the configured rate, deterministically per seed', async () => {
    const a = await start({ faults: { errorRate: 0.3, seed: 7 } });
    const b = await start({ faults: { errorRate: 0.3, seed: 7 } });
    const seqA = await codes(a, 200);
    const seqB = await codes(b, 200);
    expect(seqA).toEqual(seqB);
    const errors = seqA.filter((c) => c === 500).length;
    expect(errors).toBeGreaterThan(40);
    expect(errors).toBeLessThan(80);
    expect(seqA.filter((c) => c !== 500 && c !== 0)).toHaveLength(0);
    expect(a.admin.stats().byOutcome.fault).toBe(errors);
  });

  it('should answer injected 5xx as plain text, never HTML', async () => {
    const sim = await start({ faults: { http5xxRate: 1 } });
    const res = await post(sim);
    expect([500, 502, 503]).toContain(res.status);
    const text = await res.text();
    expect(text).not.toMatch(/<html/i);
  });

  it('should reset connections, lose answers after handling and hang until the client gives up', async () => {
    const sim = await start({ faults: { resetRate: 1 } });
    await expect(post(sim)).rejects.toThrow();
    sim.admin.setFaults({ resetRate: 0, lostResponseRate: 1 });
    await expect(post(sim)).rejects.toThrow();
    expect(sim.admin.requests().at(-1)).toMatchObject({
      fault: 'lost-response',
      status: 200,
    });
    sim.admin.setFaults({ lostResponseRate: 0, hangRate: 1 });
    await expect(post(sim, AbortSignal.timeout(150))).rejects.toThrow();
    sim.admin.setFaults({ hangRate: 0, latency: { kind: 'fixed', ms: 120 } });
    const t0 = Date.now();
    expect((await post(sim)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
  });

  it('should slow data queries in proportion to the records they match', async () => {
    const sim = await start({ queryCostMsPerThousand: 20_000 });
    const t0 = Date.now();
    const body = (await (await post(sim)).json()) as {
      data: { data_count: number };
    };
    expect(body.data.data_count).toBeGreaterThan(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(
      body.data.data_count * 20 - 5,
    );
  });

  it('should break bodies and corrupt records when asked to', async () => {
    const sim = await start({ faults: { garbageRate: 1 } });
    for (let i = 0; i < 4; i++) {
      const res = await post(sim);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(() => JSON.parse(text) as unknown).toThrow();
    }
    expect(sim.admin.requests().every((r) => r.fault === 'garbage')).toBe(true);
    sim.admin.setFaults({ garbageRate: 0, corruptRecordRate: 1 });
    const body = (await (await post(sim)).json()) as {
      code: number;
      data: { datas: Record<string, unknown>[] };
    };
    expect(body.code).toBe(0);
    const bad = body.data.datas.filter(
      (d) =>
        typeof d['io_id'] !== 'number' ||
        typeof d['modified'] !== 'string' ||
        !Array.isArray(d['items']),
    );
    expect(bad).toHaveLength(1);
    expect(sim.admin.requests().at(-1)?.fault).toBe('corrupt-record');
    // The stored record is untouched.
    expect(
      sim.admin
        .records()
        .every(
          (r) =>
            typeof (r.versions.at(-1)?.data as { io_id: unknown }).io_id ===
            'number',
        ),
    ).toBe(true);
  });

  it('should keep admin endpoints off unless enabled and drive faults, records and reset through them', async () => {
    const off = await start();
    expect((await fetch(`${off.url}/__admin/stats`)).status).toBe(404);
    const sim = await start({ adminEnabled: true });
    const admin = (path: string, body?: unknown): Promise<Response> =>
      fetch(
        `${sim.url}/__admin${path}`,
        body === undefined
          ? {}
          : {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(body),
            },
      );
    expect((await admin('/faults', { errorRate: 1 })).status).toBe(200);
    expect(await codes(sim, 2)).toEqual([500, 500]);
    expect((await admin('/faults', { errorRate: 2 })).status).toBe(400);
    await admin('/faults', { errorRate: 0 });
    const inserted = (await (
      await admin('/records', { op: 'insert' })
    ).json()) as { records: { io_id: number }[] };
    const id = inserted.records[0]!.io_id;
    await admin('/records', { op: 'modify', id: String(id) });
    const records = (await (await admin('/records?entity=counts')).json()) as {
      records: { id: string; versions: unknown[] }[];
    };
    expect(
      records.records.find((r) => r.id === String(id))?.versions,
    ).toHaveLength(2);
    const stats = (await (await admin('/stats')).json()) as {
      byOutcome: { ok: number; fault: number };
      acceptedAt: number[];
    };
    expect(stats.byOutcome.fault).toBe(2);
    expect((await (await admin('/requests')).json()) as unknown[]).toHaveLength(
      2,
    );
    await admin('/reset', {});
    const after = (await (await admin('/records?entity=counts')).json()) as {
      records: unknown[];
    };
    expect(after.records).toHaveLength(50);
    expect(
      ((await (await admin('/stats')).json()) as { total: number }).total,
    ).toBe(0);
  });

  it('should add and modify records as the clock moves, keeping every version', async () => {
    const sim = await start({
      arrivalsPerMinute: 6,
      modificationsPerMinute: 2,
    });
    now += 10 * 60_000;
    await codes(sim, 1);
    const records = sim.admin.records();
    expect(records).toHaveLength(110);
    const versions = records.reduce((s, r) => s + r.versions.length, 0);
    expect(versions).toBe(130);
  });

  it('should load records from an NDJSON fixtures file and refuse an invalid one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-fixtures-'));
    const good = join(dir, 'counts.ndjson');
    const record = {
      io_id: 1,
      io_date: '2026-05-09 10:00:00',
      status: 'Confirmed',
      warehouse: '主仓',
      wh_id: 1,
      wms_co_id: 10086,
      remark: '包材盘点',
      modified: '2026-05-09 10:05:00',
      items: [
        {
          io_id: 1,
          ioi_id: 11,
          sku_id: 'BC-ZX-03',
          i_id: 'BC-ZX',
          name: '快递纸箱',
          r_qty: 10,
          qty: -3,
        },
      ],
    };
    writeFileSync(
      good,
      `${JSON.stringify(record)}\n\n${JSON.stringify({ ...record, io_id: 2 })}\n`,
    );
    const sim = await start({ fixturesFile: good });
    expect(sim.admin.records().map((r) => r.id)).toEqual(['1', '2']);
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, `${JSON.stringify({ io_id: 'x' })}\n`);
    await expect(start({ fixturesFile: bad })).rejects.toThrow(/record 1/);
  });
});
