import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  K3CloudBillQueryInventory,
  SimulatorKingdeeInventory,
  SimulatorSourceInventory,
  buildExpectedDocuments,
  reconcileFlow,
  toRawRecord,
  totalsFieldsOf,
  type ExpectedDocument,
  type ReconcileReport,
} from '@kingbridge/reconcile';
import {
  compileFlow,
  loadPlans,
  type LookupProvider,
  type SyncPlan,
} from '@kingbridge/transform-engine';
// Reconciliation is checked against the simulators themselves, started in-process.
import {
  startK3CloudSimulator,
  type K3CloudSimulator,
  startWdtSimulator,
} from '@kingbridge/simulators';
import type { SourceSimulator } from '@kingbridge/simulators';
import { k3cloudClientFromEnv } from '@kingbridge/sink-kingdee';
import { k3CloudMasterData } from '../stack/demo-master-data';
import { demoLookups } from '../stack/__tests__/demo-lookups.util';

const FLOW = 'wdt-stockout-to-k3cloud-outstock';
const ALL_TIME = { fromMs: 0, toMs: Date.parse('2100-01-01T00:00:00Z') };

/** Minimal K3Cloud Web API client: ValidateUser session cookie, then Save calls. */
async function k3Login(baseUrl: string, acctId: string): Promise<string> {
  const res = await fetch(
    `${baseUrl}Kingdee.BOS.WebApi.ServicesStub.AuthService.ValidateUser.common.kdsvc`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        acctID: acctId,
        username: 'kingbridge',
        password: 'Kb@2026!',
        lcid: 2052,
      }),
    },
  );
  const body = (await res.json()) as { LoginResultType?: number };
  expect(body.LoginResultType).toBe(1);
  const cookie = res.headers
    .getSetCookie()
    .find((c) => c.toLowerCase().startsWith('kdservice-sessionid='));
  if (!cookie) throw new Error('no session cookie');
  return cookie.split(';')[0]!;
}

async function k3Save(
  baseUrl: string,
  cookie: string,
  model: unknown,
): Promise<{ Id: unknown; Number: string }> {
  const res = await fetch(
    `${baseUrl}Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Save.common.kdsvc`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ formid: 'SAL_OUTSTOCK', data: { Model: model } }),
    },
  );
  const body = (await res.json()) as {
    Result: {
      ResponseStatus: {
        IsSuccess: boolean;
        Errors: unknown[];
        SuccessEntitys: { Id: unknown; Number: string }[];
      };
    };
  };
  const status = body.Result.ResponseStatus;
  if (!status.IsSuccess)
    throw new Error(`save failed: ${JSON.stringify(status.Errors)}`);
  return status.SuccessEntitys[0]!;
}

async function k3Delete(
  baseUrl: string,
  cookie: string,
  billNo: string,
): Promise<void> {
  const res = await fetch(
    `${baseUrl}Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Delete.common.kdsvc`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({
        formid: 'SAL_OUTSTOCK',
        data: { Numbers: [billNo] },
      }),
    },
  );
  const body = (await res.json()) as {
    Result: { ResponseStatus: { IsSuccess: boolean; Errors: unknown[] } };
  };
  if (!body.Result.ResponseStatus.IsSuccess)
    throw new Error(
      `delete failed: ${JSON.stringify(body.Result.ResponseStatus.Errors)}`,
    );
}

describe('reconcile against the simulators', () => {
  let source: SourceSimulator;
  let kingdee: K3CloudSimulator;
  let plan: SyncPlan;
  let expected: ExpectedDocument[];
  let report: ReconcileReport;
  let lookups: LookupProvider;

  beforeAll(async () => {
    plan = (await loadPlans(join(__dirname, '../../plans')))
      .map((p) => p.plan)
      .find((p) => p.id === FLOW)!;
    source = await startWdtSimulator({
      port: 0,
      adminEnabled: true,
      initialRecords: 12,
      historyDays: 1,
    });
    kingdee = await startK3CloudSimulator({
      port: 0,
      admin: true,
      masterData: k3CloudMasterData(),
    });
    const sourceInventory = new SimulatorSourceInventory(source.url);
    const records = await sourceInventory.list('stockouts', ALL_TIME);
    // The flow's lookups as the transform reads them (its K3Cloud tables from the simulator, after the demo
    // order entry put the stock-outs' sales orders there).
    lookups = await demoLookups(plan, kingdee, source);
    expected = (await buildExpectedDocuments(plan, records, lookups)).documents;
    expect(expected.length).toBeGreaterThanOrEqual(3);

    // Two documents written as the sink would: the first one created twice (deleted in between, so Kingdee
    // holds one bill but counts two creates), the second one saved again by id (an update in place, as
    // `changeAfterWrite: update` does: one document, not a duplicate); one document nobody asked for.
    const cookie = await k3Login(kingdee.baseUrl, kingdee.acctId);
    await k3Save(kingdee.baseUrl, cookie, await modelsOf(expected[0]!));
    await k3Delete(kingdee.baseUrl, cookie, expected[0]!.billNo);
    await k3Save(kingdee.baseUrl, cookie, await modelsOf(expected[0]!));
    const second = await k3Save(
      kingdee.baseUrl,
      cookie,
      await modelsOf(expected[1]!),
    );
    await k3Save(kingdee.baseUrl, cookie, {
      ...(await modelsOf(expected[1]!)),
      FID: second.Id,
    });
    await k3Save(kingdee.baseUrl, cookie, {
      ...(await modelsOf(expected[0]!)),
      FBillNo: 'EXTRA-0001',
    });

    report = await reconcileFlow({
      plan,
      source: sourceInventory,
      sourceEntity: 'stockouts',
      kingdee: new SimulatorKingdeeInventory(kingdee.url),
      range: ALL_TIME,
      lookups: lookups,
    });

    async function modelsOf(
      e: ExpectedDocument,
    ): Promise<Record<string, unknown>> {
      const one = records.filter((r) => e.sourceIds.includes(r.sourceId));
      const flow = compileFlow(plan, { lookups });
      const raw = toRawRecord(plan, one[0]!);
      await lookups.preload(flow.lookupQueries(raw));
      const out = flow.process(raw);
      if (out.outcome !== 'mapped')
        throw new Error(`record ${raw.sourceId} did not map: ${out.outcome}`);
      return out.documents[0]!.document as Record<string, unknown>;
    }
  });

  afterAll(async () => {
    await source?.close();
    await kingdee?.close();
  });

  it('should list every unwritten document as missing with its source ids when Kingdee holds only some', () => {
    expect(report.counts.expected).toBe(expected.length);
    expect(report.missing.map((m) => m.billNo).sort()).toEqual(
      expected
        .slice(2)
        .map((e) => e.billNo)
        .sort(),
    );
    expect(report.missing.every((m) => m.sourceIds.length > 0)).toBe(true);
  });

  it('should report the bill created twice as a duplicate, and not the bill updated in place', async () => {
    expect(report.duplicates).toEqual([
      expect.objectContaining({
        billNo: expected[0]!.billNo,
        writeCount: 2,
        reason: 'written-more-than-once',
        sourceIds: expected[0]!.sourceIds,
      }),
    ]);
    // Kingdee did take two writes of the updated bill: only the creates tell a second document.
    const updated = (
      await new SimulatorKingdeeInventory(kingdee.url).list('SAL_OUTSTOCK')
    ).find((d) => d.billNo === expected[1]!.billNo);
    expect(updated?.writeCount).toBe(1);
    const raw = (await (
      await fetch(
        `${kingdee.url}/__admin/documents?formId=SAL_OUTSTOCK&billNo=${encodeURIComponent(expected[1]!.billNo)}`,
      )
    ).json()) as { writeCount: number; createCount: number }[];
    expect(raw.map((d) => [d.writeCount, d.createCount])).toEqual([[2, 1]]);
  });

  it('should report the bill no source record explains as extra', () => {
    expect(report.extra.map((e) => e.billNo)).toEqual(['EXTRA-0001']);
  });

  it('should find the stored quantities and amounts equal to the mapped ones when the bill was written as mapped', () => {
    expect(report.counts.matched).toBe(2);
    expect(report.counts.mismatch).toBe(0);
    const written = expected.slice(0, 2).reduce((n, e) => n + e.totals.qty, 0);
    expect(written).toBeGreaterThan(0);
    const actualQty = report.days.reduce((n, d) => n + d.actual.qty, 0);
    // The extra bill is a copy of the first one.
    expect(actualQty).toBeCloseTo(written + expected[0]!.totals.qty, 6);
  });

  it('should see the same bills and sums through ExecuteBillQuery as through the admin endpoint', async () => {
    // The production client, built from the sink's environment as `kb reconcile --kingdee api` builds it.
    const passwordFile = join(mkdtempSync(join(tmpdir(), 'kb-k3-')), 'pw');
    writeFileSync(passwordFile, 'Kb@2026!\n');
    const viaQuery = new K3CloudBillQueryInventory({
      client: k3cloudClientFromEnv({
        K3CLOUD_BASE_URL: kingdee.baseUrl,
        K3CLOUD_ACCT_ID: kingdee.acctId,
        K3CLOUD_USERNAME: 'kingbridge',
        K3CLOUD_PASSWORD_FILE: passwordFile,
      }),
      totalsFields: totalsFieldsOf(plan.mapping),
      pageSize: 2,
    });
    const queried = await reconcileFlow({
      plan,
      source: new SimulatorSourceInventory(source.url),
      sourceEntity: 'stockouts',
      kingdee: viaQuery,
      range: ALL_TIME,
      lookups: lookups,
    });
    expect(queried.counts).toEqual({ ...report.counts, duplicate: 0 });
    expect(queried.missing).toEqual(report.missing);
    expect(queried.extra.map((e) => e.billNo)).toEqual(['EXTRA-0001']);
  });

  it('should list master data by number through ExecuteBillQuery, also where the form has no FModifyDate', async () => {
    const customers = await new K3CloudBillQueryInventory({
      client: k3cloudClientFromEnv({
        K3CLOUD_BASE_URL: kingdee.baseUrl,
        K3CLOUD_ACCT_ID: kingdee.acctId,
        K3CLOUD_USERNAME: 'kingbridge',
        K3CLOUD_PASSWORD: 'Kb@2026!',
      }),
    }).list('BD_Customer');
    const seeded = k3CloudMasterData()['BD_Customer']!.map((c) => c.number);
    expect(seeded.length).toBeGreaterThan(0);
    expect(customers.map((c) => c.billNo).sort()).toEqual([...seeded].sort());
    expect(customers.every((c) => c.lastWrittenAt === undefined)).toBe(true);
  });
});
