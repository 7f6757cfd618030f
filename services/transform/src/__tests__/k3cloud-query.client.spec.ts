import { startK3CloudSimulator } from '@kingbridge/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { K3CloudQueryClient } from '../lookups/k3cloud-query.client';

type Sim = Awaited<ReturnType<typeof startK3CloudSimulator>>;

describe('K3CloudQueryClient (lookups)', () => {
  let sim: Sim;
  let client: K3CloudQueryClient;
  beforeAll(async () => {
    sim = await startK3CloudSimulator({});
    client = new K3CloudQueryClient({
      baseUrl: sim.baseUrl,
      acctId: sim.acctId,
      userName: 'kingbridge',
      password: 'Kb@2026!',
    });
  });
  afterAll(() => sim.close());

  const logins = (): number =>
    Object.entries(sim.stats().byPath)
      .filter(([path]) => path.includes('validateuser'))
      .reduce((n, [, count]) => n + count, 0);
  const query = (): Promise<unknown[][]> =>
    client.executeBillQuery({
      FormId: 'BD_Customer',
      FieldKeys: 'FNumber',
      FilterString: '',
      TopRowCount: 0,
      Limit: 5,
    });

  it('should log in once, then log in again and resend once when the session is lost', async () => {
    expect((await query()).length).toBeGreaterThan(0);
    await query();
    expect(logins()).toBe(1);
    sim.sessions.expireAll();
    expect((await query()).length).toBeGreaterThan(0);
    expect(logins()).toBe(2);
  });

  it('should fail retriably, without a third login, when the new session is lost as well', async () => {
    const before = logins();
    // Every session is expired before each query: the resend meets a lost session again.
    const flaky = new K3CloudQueryClient({
      baseUrl: sim.baseUrl,
      acctId: sim.acctId,
      userName: 'kingbridge',
      password: 'Kb@2026!',
      fetch: async (url, init) => {
        if (String(url).includes('ExecuteBillQuery')) sim.sessions.expireAll();
        return fetch(url, init);
      },
    });
    await expect(
      flaky.executeBillQuery({
        FormId: 'BD_Customer',
        FieldKeys: 'FNumber',
        FilterString: '',
        TopRowCount: 0,
        Limit: 5,
      }),
    ).rejects.toMatchObject({ retriable: true, errorClass: 'lookup' });
    expect(logins() - before).toBe(2);
  });
});
