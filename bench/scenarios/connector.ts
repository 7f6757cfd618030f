/*
 * 6. Source connector against a rate-limited platform: the Xiaoman connector (own process, as in production)
 *    fetches a simulated day of orders page by page from the Xiaoman simulator (own process), which answers
 *    429 above `RATE` requests/s; the connector is configured with the same limit. Achieved request rate over
 *    the busy stretch as a ratio to the allowed rate, and the throttles (429s) seen.
 */
import { join } from 'node:path';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { DEMO_CREDENTIALS } from '@kingbridge/stack';
import { startChild } from '../lib/child';
import { benchFlow } from '../lib/flows';
import { metricValue, ServiceProcess } from '../lib/service';
import type { Row, Scenario } from '../lib/types';
import { ratio } from './ceiling';
import { round } from './transform';

const RATE = 10;
const PAGE_SIZE = 10;
const sleep = (ms: number): Promise<void> =>
  new Promise((done) => setTimeout(done, ms));

export const connectorScenario: Scenario = {
  name: 'connector',
  title: 'Source connector: request rate vs the allowed rate',
  async run(ctx) {
    const records = ctx.smoke ? 40 : 300;
    const { info, child } = await startChild<{ url: string }>(
      'source-sim.process.ts',
      {
        clientId: DEMO_CREDENTIALS.xiaoman.clientId,
        clientSecret: DEMO_CREDENTIALS.xiaoman.clientSecret,
        initialRecords: records,
        historyDays: 1,
        arrivalsPerMinute: 0,
        modificationsPerMinute: 0,
        rateLimit: { perSecond: RATE },
      },
    );
    // The plan with a stream of this run (no checkpoint yet: the connector starts a day back) and small pages.
    const flow = await benchFlow(
      'xiaoman-orders-to-k3wise-so.yaml',
      ctx.suffix,
      (plan) => {
        const source = plan['source'] as Record<string, unknown>;
        source['stream'] = `${String(source['stream'])}.${ctx.suffix}`;
        source['pageSize'] = PAGE_SIZE;
      },
    );
    const plansDir = await mkdtemp(join(tmpdir(), 'kb-bench-connector-'));
    await writeFile(
      join(plansDir, `${flow.id}.json`),
      JSON.stringify(flow.plan),
    );
    const proc = new ServiceProcess({
      service: 'source-connector',
      env: {
        CONNECTOR_ID: 'xiaoman',
        DATABASE_URL: ctx.databaseUrl,
        KAFKA_BROKERS: ctx.broker.brokers.join(','),
        PLANS_DIR: plansDir,
        XIAOMAN_BASE_URL: info.url,
        XIAOMAN_CLIENT_ID: DEMO_CREDENTIALS.xiaoman.clientId,
        XIAOMAN_CLIENT_SECRET: DEMO_CREDENTIALS.xiaoman.clientSecret,
        XIAOMAN_RATE_LIMIT: `${RATE}/1s`,
        INITIAL_LOOKBACK_MS: String(2 * 86_400_000),
        SAFETY_LAG_MS: '0',
      },
    });
    try {
      await proc.start();
      const start = performance.now();
      const samples: Array<{
        at: number;
        requests: number;
        throttled: number;
        published: number;
      }> = [];
      let changedAt = start;
      for (;;) {
        const text = await proc.metrics();
        const s = {
          at: performance.now(),
          requests: metricValue(text, 'kingbridge_source_requests_total', {
            connector: 'xiaoman',
          }),
          throttled: metricValue(text, 'kingbridge_source_throttled_total', {
            connector: 'xiaoman',
          }),
          published: metricValue(
            text,
            'kingbridge_source_records_published_total',
            { connector: 'xiaoman' },
          ),
        };
        const last = samples[samples.length - 1];
        if (!last || s.requests !== last.requests) changedAt = s.at;
        samples.push(s);
        // Done when the first pass is over: requests stopped moving for 3 s after some were made.
        if (s.requests > 0 && s.at - changedAt > 3000) break;
        if (s.at - start > 120_000) break;
        await sleep(200);
      }
      const busy = samples.filter((s) => s.requests > 0);
      const first = busy[0];
      const lastMove = [...busy]
        .reverse()
        .find((s, i, all) => s.requests !== all[i + 1]?.requests);
      const end = samples[samples.length - 1];
      const seconds = first && lastMove ? (lastMove.at - first.at) / 1000 : 0;
      const requests = (lastMove?.requests ?? 0) - (first?.requests ?? 0);
      const rate = seconds > 0 ? requests / seconds : 0;
      const row: Row = {
        connector: 'xiaoman',
        'allowed req/s': RATE,
        'page size': PAGE_SIZE,
        'records in the window': records,
        requests: end?.requests ?? 0,
        'busy s': round(seconds),
        'achieved req/s': round(rate),
        'ratio to allowed': ratio(rate, RATE),
        'throttles (429) seen': end?.throttled ?? 0,
        'records published': end?.published ?? 0,
      };
      return {
        rows: [row],
        notes: [
          `The simulator answers 429 above ${RATE} requests/s (sliding window); the connector's own limiter is set to ${RATE}/1s. A ratio near 1 with no 429 is the goal; 429s mean the client's limiter and the platform's window disagree.`,
          "Requests counted from the first to the last request of the first pass (sampled every 200 ms from the connector's /metrics), token requests included.",
        ],
      };
    } finally {
      await proc.stop();
      child.kill('SIGTERM');
    }
  },
};
