import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJackyunSimulator } from '../jackyun/jackyun.simulator';
import { startJushuitanSimulator } from '../jushuitan/jushuitan.simulator';
import type { SourceSimulator } from '../source-kit';
import { startWdtSimulator } from '../wdt/wdt.simulator';
import { startXiaomanSimulator } from '../xiaoman/xiaoman.simulator';

const options = { initialRecords: 20 };
const sims: Record<string, SourceSimulator> = {};

beforeAll(async () => {
  sims['jackyun'] = await startJackyunSimulator(options);
  sims['wdt'] = await startWdtSimulator(options);
  sims['jushuitan'] = await startJushuitanSimulator(options);
  sims['xiaoman'] = await startXiaomanSimulator(options);
});

afterAll(async () => {
  await Promise.all(Object.values(sims).map((s) => s.close()));
});

const paths: Record<string, string> = {
  jackyun: '/open/openapi/do',
  wdt: '/openapi2/stockout_order_query_trade.php',
  jushuitan: '/open/inventory/count/query',
  xiaoman: '/v1/oauth2/access_token',
};

const cases: { name: string; init: (path: string) => [string, RequestInit] }[] =
  [
    {
      name: 'an unknown path',
      init: () => ['/no/such/api', { method: 'POST' }],
    },
    { name: 'a GET', init: (p) => [p, { method: 'GET' }] },
    { name: 'an empty POST', init: (p) => [p, { method: 'POST' }] },
    {
      name: 'a garbage form body',
      init: (p) => [
        p,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: '%%%&&&=%E0%A4%A',
        },
      ],
    },
    {
      name: 'a JSON body',
      init: (p) => [
        p,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"sign":',
        },
      ],
    },
  ];

describe('source simulators on malformed requests', () => {
  for (const platform of Object.keys(paths)) {
    for (const c of cases) {
      it(`should answer ${c.name} to ${platform} with the platform's JSON error envelope`, async () => {
        const [path, init] = c.init(paths[platform]!);
        const res = await fetch(`${sims[platform]!.url}${path}`, init);
        expect(res.headers.get('content-type')).toContain('application/json');
        const text = await res.text();
        expect(text).not.toMatch(/<html|at .*\.ts:\d+/i);
        const body = JSON.parse(text) as Record<string, unknown>;
        const success =
          platform === 'jackyun' || platform === 'xiaoman' ? 200 : 0;
        expect(body['code']).not.toBe(success);
        expect(typeof (body['msg'] ?? body['message'])).toBe('string');
      });
    }
  }
});
