import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  InMemoryLookupProvider,
  PlanValidationError,
} from '@kingbridge/transform-engine';
import { describe, expect, it } from 'vitest';
import { loadFlows, planLookupTables } from '../flows/load-flows';

const ROOT = resolve(__dirname, '../../../..');
const PLANS = join(ROOT, 'plans');
const NO_OVERRIDES = {
  MERGE_WINDOW_SIZE: undefined,
  MERGE_GRACE: undefined,
  MERGE_IDLE_TIMEOUT: undefined,
  MERGE_DEDUP_RETENTION: undefined,
};

describe('loadFlows', () => {
  it('should compile every shipped plan with its raw and outbound topics when the plans are valid', async () => {
    const flows = await loadFlows(
      { PLANS_DIR: PLANS, ...NO_OVERRIDES },
      new InMemoryLookupProvider({}),
    );
    const byId = Object.fromEntries(flows.map((f) => [f.id, f]));
    expect(byId['jackyun-retail-orders-to-k3cloud-outstock']).toMatchObject({
      rawTopic: 'oms.jackyun.sales-order.raw.v1',
      outboundTopic: 'erp.kingdee.k3cloud.outbound.v1',
      merge: {
        graceMs: 30 * 60_000,
        idleTimeoutMs: 10 * 60_000,
        dedupRetentionMs: 8 * 86_400_000,
      },
    });
    expect(byId['jushuitan-count-loss-to-jdy']).toMatchObject({
      outboundTopic: 'erp.kingdee.jdy.outbound.v1',
      merge: undefined,
    });
  });

  it('should apply the merge overrides to every merge plan when they are set', async () => {
    const flows = await loadFlows(
      {
        PLANS_DIR: PLANS,
        MERGE_WINDOW_SIZE: '1m',
        MERGE_GRACE: '10s',
        MERGE_IDLE_TIMEOUT: '30s',
        MERGE_DEDUP_RETENTION: '1h',
      },
      new InMemoryLookupProvider({}),
    );
    const merge = flows.find(
      (f) => f.id === 'jackyun-retail-orders-to-k3cloud-outstock',
    );
    expect(merge?.merge).toEqual({
      graceMs: 10_000,
      idleTimeoutMs: 30_000,
      dedupRetentionMs: 3_600_000,
      historyRetentionMs: 400 * 86_400_000,
    });
    expect(merge?.plan.merge?.window.size).toBe('1m');
    expect(merge?.transformer.merger?.config.sizeMs).toBe(60_000);
  });

  it('should name the file and the field path when a plan is invalid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kb-plans-'));
    const text = await readFile(
      join(PLANS, 'jushuitan-count-loss-to-jdy.yaml'),
      'utf8',
    );
    await writeFile(
      join(dir, 'bad.yaml'),
      text.replace('formId: /jdy/v2/scm/inv_check_loss_bill', 'formId: ""'),
    );
    const error = await loadFlows(
      { PLANS_DIR: dir, ...NO_OVERRIDES },
      new InMemoryLookupProvider({}),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanValidationError);
    expect((error as PlanValidationError).issues).toEqual([
      expect.stringMatching(/bad\.yaml: target\.formId: /),
    ]);
  });

  it('should list the lookup tables a plan reads when its mapping uses _findCollection', async () => {
    const flows = await loadFlows(
      { PLANS_DIR: PLANS, ...NO_OVERRIDES },
      new InMemoryLookupProvider({}),
    );
    const tables = Object.fromEntries(
      flows.map((f) => [f.id, planLookupTables(f.plan)]),
    );
    expect(tables['jushuitan-count-loss-to-jdy']).toEqual([
      'materials',
      'stocks',
      'units',
    ]);
    expect(tables['jackyun-retail-orders-to-k3cloud-outstock']).toEqual([
      'orgs',
    ]);
  });
});

describe('transform main', () => {
  it('should exit 1 naming file and field path when a plan is invalid at start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kb-plans-'));
    const text = await readFile(
      join(PLANS, 'jackyun-retail-orders-to-k3cloud-outstock.yaml'),
      'utf8',
    );
    await writeFile(
      join(dir, 'broken.yaml'),
      text.replace('size: 1d', 'size: someday'),
    );
    const run = promisify(execFile)(
      process.execPath,
      [
        join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
        'services/transform/src/main.ts',
      ],
      {
        cwd: ROOT,
        env: {
          PATH: process.env['PATH'] ?? '',
          PLANS_DIR: dir,
          LOG_LEVEL: 'fatal',
          HTTP_PORT: '0',
        },
      },
    );
    const failure = (await run.then(
      () => undefined,
      (e: unknown) => e,
    )) as { code: number; stderr: string } | undefined;
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(
      /broken\.yaml: merge\.window\.size: invalid duration 'someday'/,
    );
  });
});
