import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rawRecordSchema, type OutboundDocument } from '@kingbridge/contracts';
import { compileFlow } from '../flow/flow-transformer';
import {
  InMemoryLookupProvider,
  type LookupRow,
} from '../lookup/lookup-provider';
import { parsePlan } from '../plan/load-plans';

export const REPO_ROOT = resolve(__dirname, '../../../..');
export const FIXTURES_DIR = resolve(__dirname, '../../fixtures');
export const FIXTURE_NOW = Date.parse('2026-05-02T02:00:00.000Z');

/** Per-record result, in a compact form for golden files. */
export type FixtureOutcome =
  | { sourceId: string; outcome: 'filtered'; reason: string }
  | {
      sourceId: string;
      outcome: 'failed';
      errorClass: string;
      fieldPath: string | undefined;
      message: string;
    }
  | { sourceId: string; outcome: 'merged'; status: string; windowKey: string }
  | { sourceId: string; outcome: 'mapped'; documentKeys: string[] };

export interface FixtureResult {
  outcomes: FixtureOutcome[];
  documents: OutboundDocument[];
}

export function loadFixturePlan(flow: string) {
  const file = join('plans', `${flow}.yaml`);
  return parsePlan(readFileSync(join(REPO_ROOT, file), 'utf8'), file);
}

/** A fixture's raw records and lookup tables. */
export function loadFixtureData(flow: string) {
  const dir = join(FIXTURES_DIR, flow);
  const input = (
    JSON.parse(readFileSync(join(dir, 'input.json'), 'utf8')) as unknown[]
  ).map((r) => rawRecordSchema.parse(r));
  const tables = JSON.parse(
    readFileSync(join(dir, 'lookups.json'), 'utf8'),
  ) as Record<string, LookupRow[]>;
  return { input, tables };
}

/** Runs a fixture through its shipped plan: every record, then every window flushed. */
export async function runFixture(flow: string): Promise<FixtureResult> {
  const plan = loadFixturePlan(flow);
  const { input, tables } = loadFixtureData(flow);
  const lookups = new InMemoryLookupProvider(tables);
  const transformer = compileFlow(plan, { lookups, clock: () => FIXTURE_NOW });
  const outcomes: FixtureOutcome[] = [];
  const documents: OutboundDocument[] = [];
  await lookups.preload(input.flatMap((r) => transformer.lookupQueries(r)));
  for (const [i, raw] of input.entries()) {
    const r = transformer.process(raw, {
      offset: { topic: `raw.${flow}`, partition: 0, offset: String(i) },
    });
    switch (r.outcome) {
      case 'filtered':
        outcomes.push({
          sourceId: raw.sourceId,
          outcome: 'filtered',
          reason: r.reason,
        });
        break;
      case 'failed':
        outcomes.push({
          sourceId: raw.sourceId,
          outcome: 'failed',
          errorClass: r.error.errorClass,
          fieldPath: r.error.fieldPath,
          message: r.error.message,
        });
        break;
      case 'merged':
        outcomes.push({
          sourceId: raw.sourceId,
          outcome: 'merged',
          status: r.status,
          windowKey: r.windowKey,
        });
        break;
      case 'mapped':
        outcomes.push({
          sourceId: raw.sourceId,
          outcome: 'mapped',
          documentKeys: r.documents.map((d) => d.documentKey),
        });
        documents.push(...r.documents);
        break;
    }
  }
  for (const key of transformer.openWindows()) {
    const emitted = transformer.emitWindow(key);
    if ('error' in emitted) throw emitted.error;
    if ('document' in emitted) documents.push(emitted.document);
    transformer.markEmitted(key);
  }
  return { outcomes, documents };
}
