import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { safeEqual } from '../../common';
import {
  headerValue,
  jsonResponse,
  type PlatformResponse,
  type SimRequest,
} from '../shared/kingdee-server';
import type { TokenPlatformState } from '../shared/kingdee-simulator';
import {
  jdyAppSignature,
  jdyCanonicalQuery,
  jdyGatewaySignature,
  JDY_ERRCODE,
} from '@kingbridge/sink-kingdee-client/protocol';
import {
  jdyEnvelope,
  type JdyBillContext,
  type JdyStoredBill,
} from './jdy-bill.handlers';
import type { JdyMasterData } from './jdy-master-data';
import type { jdySimulatorOptionsSchema } from './jdy.options';

/** What the JDY handlers work on. */
export interface JdyContext extends TokenPlatformState<
  JdyStoredBill,
  JdyMasterData
> {
  readonly options: z.infer<typeof jdySimulatorOptionsSchema>;
  readonly bills: JdyBillContext;
  /** The app secret currently valid (rotates through admin). */
  appSecret: string;
  entrySeq: number;
}

export const PUSH_APP_AUTHORIZE_PATH =
  '/jdyconnector/app_management/push_app_authorize';
export const AUTH_TOKEN_PATH =
  '/jdyconnector/app_management/kingdee_auth_token';

export const NO_ROUTE = (): PlatformResponse =>
  jsonResponse(404, { code: 404, message: 'No Route', details: [] });

/** The API gateway's checks of every call: client id, auth version, timestamp, nonce and signature headers. */
export function gatewayCheck(
  ctx: JdyContext,
  req: SimRequest,
): PlatformResponse | undefined {
  const { options } = ctx;
  const refuse = (message: string): PlatformResponse =>
    jsonResponse(519, {
      code: 519,
      message: `API Not Found/sign: ${message}`,
      details: [],
    });
  if (headerValue(req.headers, 'x-api-clientid') !== options.clientId)
    return refuse('X-Api-ClientID 无效');
  if (headerValue(req.headers, 'x-api-auth-version') !== '2.0')
    return refuse('X-Api-Auth-Version 必须为 2.0');
  const timestamp = headerValue(req.headers, 'x-api-timestamp') ?? '';
  const nonce = headerValue(req.headers, 'x-api-nonce') ?? '';
  const signature = headerValue(req.headers, 'x-api-signature') ?? '';
  if (timestamp === '' || nonce === '' || signature === '')
    return refuse('缺少签名头');
  const ts = Number(timestamp);
  if (
    !Number.isFinite(ts) ||
    Math.abs(ctx.bills.now() - ts) > options.timestampWindowMs
  )
    return refuse('X-Api-TimeStamp 已过期');
  const params = [...req.query.entries()];
  const valid = (['rfc3986', 'form'] as const).some((style) =>
    safeEqual(
      jdyGatewaySignature(
        options.clientSecret,
        req.method,
        req.path,
        jdyCanonicalQuery(params, style),
        nonce,
        timestamp,
      ),
      signature,
    ),
  );
  return valid ? undefined : refuse('签名校验失败');
}

/** A business call's checks: the IDC router address and the app-token. */
export function businessCheck(
  ctx: JdyContext,
  req: SimRequest,
): PlatformResponse | undefined {
  if (headerValue(req.headers, 'x-gw-router-addr') !== ctx.options.domain)
    return NO_ROUTE();
  const token = headerValue(req.headers, 'app-token') ?? '';
  if (!ctx.tokens.valid(token, ctx.bills.now()))
    return jdyEnvelope(
      JDY_ERRCODE.tokenInvalid,
      'app-token 无效或已过期，请重新获取',
    );
  return undefined;
}

/** `POST push_app_authorize`: the account's app key and secret for an instance. */
export function pushAppAuthorize(
  ctx: JdyContext,
  req: SimRequest,
): PlatformResponse {
  const { options } = ctx;
  if (req.query.get('outerInstanceId') !== options.outerInstanceId)
    return jdyEnvelope(JDY_ERRCODE.instanceNotFound, '未找到该实例的授权信息');
  return jdyEnvelope(JDY_ERRCODE.ok, 'success', [
    {
      appKey: options.appKey,
      appSecret: ctx.appSecret,
      accountId: options.accountId,
      accountName: '金桥科技',
      agreementCompanyName: '金桥科技集团有限公司',
      serviceId: '15',
      outerInstanceId: options.outerInstanceId,
      domain: options.domain,
      groupName: '金桥科技',
      status: '1',
    },
  ]);
}

/** `GET kingdee_auth_token`: an app-token for a correctly signed app key. */
export function authToken(ctx: JdyContext, req: SimRequest): PlatformResponse {
  const { options } = ctx;
  const appKey = req.query.get('app_key') ?? '';
  const signature = req.query.get('app_signature') ?? '';
  if (
    appKey !== options.appKey ||
    !safeEqual(jdyAppSignature(appKey, ctx.appSecret), signature)
  )
    return jdyEnvelope(JDY_ERRCODE.appSecretInvalid, '授权密钥校验失败');
  const token = `${randomBytes(20).toString('hex')}`;
  const expires = ctx.bills.now() + options.tokenTtlMs;
  ctx.tokens.issue(token, expires);
  return jdyEnvelope(JDY_ERRCODE.ok, 'success', {
    'app-token': token,
    access_token: token,
    expires,
    uid: options.accountId,
    domain: options.domain,
  });
}
