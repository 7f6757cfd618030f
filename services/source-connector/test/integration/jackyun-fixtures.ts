import {
  startJackyunSimulator,
  type JackyunOptions,
} from '@kingbridge/simulators';
import { TEST_CREDENTIALS } from './source-connector.harness';

export type JackyunSim = Awaited<ReturnType<typeof startJackyunSimulator>>;

/** A Jackyun simulator holding a simulated week, accepting the test credentials. */
export function startTestJackyun(
  options: JackyunOptions = {},
): Promise<JackyunSim> {
  return startJackyunSimulator({
    appkey: TEST_CREDENTIALS.jackyun.JACKYUN_APP_KEY,
    secret: TEST_CREDENTIALS.jackyun.JACKYUN_APP_SECRET,
    initialRecords: 300,
    historyDays: 7,
    adminEnabled: true,
    ...options,
  });
}

const pascal = (k: string): string => k.charAt(0).toUpperCase() + k.slice(1);

function pascalKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [pascal(k), v]));
}

/** A stored trade as the order method returns it (PascalCase keys, detail lines too). */
export function tradeOnTheWire(
  t: Record<string, unknown>,
): Record<string, unknown> {
  const out = pascalKeys(t);
  for (const list of ['GoodsDetail', 'PackageDetail']) {
    const v = out[list];
    if (Array.isArray(v))
      out[list] = v.map((x) => pascalKeys(x as Record<string, unknown>));
  }
  return out;
}

/** Latest stored version of every trade. */
export function latestTrades(
  sim: JackyunSim,
): Map<string, Record<string, unknown>> {
  const held = sim.admin.records('trades') as {
    id: string;
    versions: { data: Record<string, unknown> }[];
  }[];
  return new Map(held.map((h) => [h.id, h.versions.at(-1)!.data]));
}
