import { loadLookups } from '../lib/flows';
import type { BenchContext } from '../lib/types';

const loaded = new Map<string, Promise<void>>();

/** The demo master data as this run's lookup tables (`<table>_<suffix>`), loaded once per run. */
export function benchLookups(ctx: BenchContext): Promise<void> {
  let p = loaded.get(ctx.suffix);
  if (!p) {
    p = loadLookups(ctx.databaseUrl, ctx.suffix);
    loaded.set(ctx.suffix, p);
  }
  return p;
}
