import type { KingdeeTarget } from '@kingbridge/contracts';
import {
  JdyClient,
  K3CloudClient,
  K3WiseClient,
  type K3CloudAuth,
  type KingdeeWriter,
} from '@kingbridge/sink-kingdee-client';
import type { SinkKingdeeConfig } from '../sink-kingdee.config';

/** One client per enabled target, from the validated config (secrets checked there). */
export function createKingdeeWriters(
  config: SinkKingdeeConfig,
): Map<KingdeeTarget, KingdeeWriter> {
  const writers = new Map<KingdeeTarget, KingdeeWriter>();
  const timeoutMs = config.KINGDEE_TIMEOUT_MS;
  for (const target of config.SINK_TARGETS) {
    switch (target) {
      case 'k3cloud':
        writers.set(
          target,
          new K3CloudClient({
            baseUrl: config.K3CLOUD_BASE_URL,
            acctId: config.K3CLOUD_ACCT_ID,
            userName: config.K3CLOUD_USERNAME,
            auth: k3CloudAuth(config),
            lcid: config.K3CLOUD_LCID,
            orgNum: config.K3CLOUD_ORG_NUM,
            timeoutMs,
          }),
        );
        break;
      case 'jdy':
        writers.set(
          target,
          new JdyClient({
            baseUrl: config.JDY_BASE_URL,
            clientId: config.JDY_CLIENT_ID ?? '',
            clientSecret: config.JDY_CLIENT_SECRET ?? '',
            appKey: config.JDY_APP_KEY ?? '',
            ...(config.JDY_APP_SECRET
              ? { appSecret: config.JDY_APP_SECRET }
              : {}),
            ...(config.JDY_OUTER_INSTANCE_ID
              ? { outerInstanceId: config.JDY_OUTER_INSTANCE_ID }
              : {}),
            ...(config.JDY_ROUTER_ADDR
              ? { routerAddr: config.JDY_ROUTER_ADDR }
              : {}),
            timeoutMs,
          }),
        );
        break;
      case 'k3wise':
        writers.set(
          target,
          new K3WiseClient({
            baseUrl: config.K3WISE_BASE_URL,
            authorityCode: config.K3WISE_AUTHORITY_CODE ?? '',
            timeoutMs,
          }),
        );
        break;
    }
  }
  return writers;
}

function k3CloudAuth(config: SinkKingdeeConfig): K3CloudAuth {
  const app = {
    appId: config.K3CLOUD_APP_ID ?? '',
    appSecret: config.K3CLOUD_APP_SECRET ?? '',
  };
  switch (config.K3CLOUD_AUTH_MODE) {
    case 'password':
      return { mode: 'password', password: config.K3CLOUD_PASSWORD ?? '' };
    case 'app-secret':
      return { mode: 'app-secret', ...app };
    case 'sign':
      return {
        mode: 'sign',
        ...app,
        algorithm: config.K3CLOUD_LOGIN_SIGN_ALGORITHM,
      };
    case 'signed-headers':
      return { mode: 'signed-headers', ...app };
  }
}
