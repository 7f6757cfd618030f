import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { k3CloudMasterData } from './demo-master-data';

/**
 * Credentials of the local demo world: the simulators are configured with them and the services get them as
 * environment variables, the way production credentials arrive. They are not the simulators' defaults, so a
 * client that ignored its configuration would fail, and the e2e leak check has distinctive strings to look for.
 */
export const DEMO_CREDENTIALS = {
  jackyun: { appkey: '20261122', secret: 'JkyDemoSecret-4f1c9a77b2' },
  wdt: {
    sid: 'kb_demo',
    appkey: 'kb_wdt_key',
    secret: 'WdtDemoSecret-91ad3e50c4',
  },
  jushuitan: {
    appKey: 'kbjst0a1b2c3d4e5f60718293a4b5c6d',
    appSecret: 'JstDemoSecret-0c7e21f9aa',
    accessToken: 'JstDemoToken-5d2b8e4f13',
  },
  xiaoman: {
    clientId: 'kb_okki_client',
    clientSecret: 'OkkiDemoSecret-3e9a7c1b05',
  },
} as const;

/**
 * Kingdee side: the Kingdee simulators' own default accounts (services/simulators/src/kingdee/README.md), given to
 * the sink through its variables like production credentials.
 */
export const KINGDEE_DEMO_ENV = {
  K3CLOUD_ACCT_ID: '66b1f0c2a8e4d1',
  K3CLOUD_USERNAME: 'kingbridge',
  K3CLOUD_AUTH_MODE: 'password',
  K3CLOUD_PASSWORD: 'Kb@2026!',
  JDY_CLIENT_ID: '232087',
  JDY_CLIENT_SECRET: '5f1c8b2e7d9a4c3b8e6f0a1d2c3b4a59',
  JDY_APP_KEY: 'kbJdyAppKey01',
  JDY_OUTER_INSTANCE_ID: '509132114453729280',
  K3WISE_AUTHORITY_CODE: '7c1f2e9a4b3d4c8e9f0a1b2c3d4e5f60',
} as const;

/** Environment the source connectors read their credentials from. */
export function demoServiceEnv(): Record<string, string> {
  const c = DEMO_CREDENTIALS;
  return {
    JACKYUN_APP_KEY: c.jackyun.appkey,
    JACKYUN_APP_SECRET: c.jackyun.secret,
    WDT_SID: c.wdt.sid,
    WDT_APP_KEY: c.wdt.appkey,
    WDT_APP_SECRET: c.wdt.secret,
    JUSHUITAN_APP_KEY: c.jushuitan.appKey,
    JUSHUITAN_APP_SECRET: c.jushuitan.appSecret,
    JUSHUITAN_ACCESS_TOKEN: c.jushuitan.accessToken,
    XIAOMAN_CLIENT_ID: c.xiaoman.clientId,
    XIAOMAN_CLIENT_SECRET: c.xiaoman.clientSecret,
    ...KINGDEE_DEMO_ENV,
  };
}

/** Every secret value of the demo world (for leak checks). */
export function demoSecrets(): string[] {
  const c = DEMO_CREDENTIALS;
  const k = KINGDEE_DEMO_ENV;
  return [
    c.jackyun.secret,
    c.wdt.secret,
    c.jushuitan.appSecret,
    c.jushuitan.accessToken,
    c.xiaoman.clientSecret,
    k.K3CLOUD_PASSWORD,
    k.JDY_CLIENT_SECRET,
    k.K3WISE_AUTHORITY_CODE,
  ];
}

/**
 * Writes `target`: the scenario file `base` (data rates, faults) with the demo credentials merged into each
 * source simulator's section and the demo world's base data into the K3Cloud simulator's.
 */
export function writeDemoScenario(
  base: string | undefined,
  target: string,
): string {
  const scenario =
    (base
      ? (parse(readFileSync(base, 'utf8')) as Record<
          string,
          Record<string, unknown>
        > | null)
      : null) ?? {};
  for (const [sim, creds] of Object.entries(DEMO_CREDENTIALS)) {
    scenario[sim] = { ...(scenario[sim] ?? {}), ...creds };
  }
  scenario.k3cloud = {
    ...(scenario.k3cloud ?? {}),
    masterData: k3CloudMasterData(),
  };
  writeFileSync(target, stringify(scenario));
  return target;
}
