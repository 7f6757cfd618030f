import { sourceEnv } from './source-connector-spec.util';
import type { RequiredVariable } from './source-connector-spec.util';
import { topSign } from './top-sign.util';

/** The Qimen app that calls a platform through the 奇门 router: its key and secret, and the platform's app key. */
export interface QimenCredentials {
  readonly appKey: string;
  readonly appSecret: string;
  readonly targetAppKey: string;
}

type QimenVariable<P extends string> =
  `${P}_QIMEN_APP_KEY` | `${P}_QIMEN_APP_SECRET` | `${P}_QIMEN_TARGET_APP_KEY`;

/**
 * The variables of a platform reachable through Qimen (奇门, `<P>_TRANSPORT=qimen`): `<P>_QIMEN_APP_KEY`,
 * `<P>_QIMEN_APP_SECRET`, `<P>_QIMEN_TARGET_APP_KEY`, with what `requiredVariables` and `createClient` need of them.
 */
export function qimenTransport<P extends string>(prefix: P, label: string) {
  const when = `${prefix}_TRANSPORT=qimen`;
  const names = [
    `${prefix}_QIMEN_APP_KEY`,
    `${prefix}_QIMEN_APP_SECRET`,
    `${prefix}_QIMEN_TARGET_APP_KEY`,
  ] as const;
  const [appKey, appSecret, targetAppKey] = names;
  return {
    env: {
      [appKey]: sourceEnv.optional(`Qimen app key (${when})`),
      [appSecret]: sourceEnv.secret(`Qimen app secret (${when})`),
      [targetAppKey]: sourceEnv.optional(
        `${label}'s app key on Qimen (target_app_key, ${when})`,
      ),
    } as Record<QimenVariable<P>, ReturnType<typeof sourceEnv.optional>>,
    /** The three variables, required when the transport is qimen. */
    required: (transport: string): RequiredVariable[] =>
      transport === 'qimen' ? names.map((name) => ({ name, when })) : [],
    /** The Qimen credentials when the transport is qimen (for the client's `qimen` option). */
    credentials: (
      env: Readonly<Partial<Record<QimenVariable<P>, string>>>,
      transport: string,
    ): { qimen?: QimenCredentials } =>
      transport === 'qimen'
        ? {
            qimen: {
              appKey: sourceEnv.required(env, appKey),
              appSecret: sourceEnv.required(env, appSecret),
              targetAppKey: sourceEnv.required(env, targetAppKey),
            },
          }
        : {},
  };
}

/**
 * The form of one call through the Qimen router (`/router/qm`): `params` with the TOP system params (`method`,
 * the Qimen app's `app_key`, the platform's `target_app_key`, `format` json, `v` 2.0, `sign_method` md5, the Beijing
 * `timestamp`) and their `sign` (TOP MD5 with the Qimen app's secret).
 */
export function qimenSigned(
  qimen: QimenCredentials,
  method: string,
  timestamp: string,
  params: Readonly<Record<string, string>>,
): Record<string, string> {
  const all = {
    ...params,
    method,
    app_key: qimen.appKey,
    target_app_key: qimen.targetAppKey,
    format: 'json',
    v: '2.0',
    sign_method: 'md5',
    timestamp,
  };
  return { ...all, sign: topSign(all, qimen.appSecret) };
}
