import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  testFlow,
  transformEnv,
  writePlansDir,
} from '../transform-under-test.util';

describe('transform under test', () => {
  it('should rename the flow, its stream and its lookup tables when copying a shipped plan', async () => {
    const flow = await testFlow(
      'jackyun-retail-orders-to-k3cloud-outstock.yaml',
      'abc',
    );

    expect(flow.id).toBe('jackyun-retail-orders-to-k3cloud-outstock-abc');
    expect(flow.stream).toBe('jackyun.sales-order.retail-shipped.abc');
    expect(flow.plan.id).toBe(flow.id);
    expect(flow.plan.source.stream).toBe(flow.stream);
    expect(flow.table('orgs')).toBe('orgs_abc');
    const text = JSON.stringify(flow.plan);
    expect(text).toContain('find sale_org_number from orgs_abc where');
    expect(text).not.toMatch(/from orgs /);
  });

  it('should write each plan as <flow id>.json when writing a plans folder', async () => {
    const flow = await testFlow(
      'jackyun-retail-orders-to-k3cloud-outstock.yaml',
      'xyz',
    );

    const dir = await writePlansDir([flow]);

    try {
      const written: unknown = JSON.parse(
        await readFile(join(dir, `${flow.id}.json`), 'utf8'),
      );
      expect(written).toEqual(flow.plan);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('should log at info (the port is read from it) and keep the caller extras when building the env', () => {
    const env = transformEnv('/plans', 'group-1', { WINDOW_TICK_MS: '50' });

    expect(env).toMatchObject({
      PLANS_DIR: '/plans',
      TRANSFORM_GROUP_ID: 'group-1',
      HTTP_PORT: '0',
      LOG_LEVEL: 'info',
      WINDOW_TICK_MS: '50',
    });
  });
});
