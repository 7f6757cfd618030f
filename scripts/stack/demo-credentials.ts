import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { k3CloudMasterData } from './demo-master-data';

/**
 * Credentials of the local demo world: the simulators are configured with them and the services get them as
 * environment variables, the way production credentials arrive. They are not the simulators' defaults, so a
 * client that ignored its configuration would fail, and the e2e leak check has distinctive strings to look for.
 * Each source simulator's option is given with the connector variable (its spec's, `@kingbridge/source-<platform>`)
 * that carries it: adding a platform to the demo world is one entry here.
 */
const DEMO_SOURCE_ACCOUNTS = {
  jackyun: {
    appkey: ['JACKYUN_APP_KEY', '20261122'],
    secret: ['JACKYUN_APP_SECRET', 'JkyDemoSecret-4f1c9a77b2'],
  },
  wdt: {
    sid: ['WDT_SID', 'kb_demo'],
    appkey: ['WDT_APP_KEY', 'kb_wdt_key'],
    secret: ['WDT_APP_SECRET', 'WdtDemoSecret-91ad3e50c4'],
  },
  jushuitan: {
    appKey: ['JUSHUITAN_APP_KEY', 'kbjst0a1b2c3d4e5f60718293a4b5c6d'],
    appSecret: ['JUSHUITAN_APP_SECRET', 'JstDemoSecret-0c7e21f9aa'],
    accessToken: ['JUSHUITAN_ACCESS_TOKEN', 'JstDemoToken-5d2b8e4f13'],
  },
  xiaoman: {
    clientId: ['XIAOMAN_CLIENT_ID', 'kb_okki_client'],
    clientSecret: ['XIAOMAN_CLIENT_SECRET', 'OkkiDemoSecret-3e9a7c1b05'],
  },
} as const satisfies Record<
  string,
  Record<string, readonly [variable: string, value: string]>
>;

type DemoAccounts = typeof DEMO_SOURCE_ACCOUNTS;

/** Each source simulator's demo account, as the simulator's options (`appkey`, `secret`, …). */
export const DEMO_CREDENTIALS = Object.fromEntries(
  Object.entries(DEMO_SOURCE_ACCOUNTS).map(([sim, account]) => [
    sim,
    Object.fromEntries(
      Object.entries(account).map(([option, [, value]]) => [option, value]),
    ),
  ]),
) as {
  readonly [S in keyof DemoAccounts]: {
    readonly [O in keyof DemoAccounts[S]]: DemoAccounts[S][O] extends readonly [
      string,
      infer V,
    ]
      ? V
      : never;
  };
};

/** Every source connector variable of the demo accounts with its value. */
function demoSourceEnv(): Array<readonly [variable: string, value: string]> {
  return Object.values(DEMO_SOURCE_ACCOUNTS).flatMap((account) =>
    Object.values(account),
  );
}

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
  return {
    ...Object.fromEntries(demoSourceEnv()),
    ...KINGDEE_DEMO_ENV,
  };
}

/** Every secret value of the demo world (for leak checks): secrets and tokens, not app keys or ids. */
export function demoSecrets(): string[] {
  const k = KINGDEE_DEMO_ENV;
  return [
    ...demoSourceEnv()
      .filter(([variable]) => /(SECRET|TOKEN)$/.test(variable))
      .map(([, value]) => value),
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
