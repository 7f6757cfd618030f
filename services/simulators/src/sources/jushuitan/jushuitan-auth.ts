import type { SimResult } from '../../common';
import { missingParam, unixSecondsWithin, type ParamsHandler } from '../common';
import { jushuitanSign } from '@kingbridge/source-jushuitan/protocol';
import { jushuitanFail as fail, jushuitanOk as ok } from './jushuitan-envelope';
import { JUSHUITAN_CODES, type JushuitanState } from './jushuitan.options';

/** The checks every call shares: required parameters, app_key, sign, timestamp, charset. */
export function checkCommon(
  state: JushuitanState,
  p: Record<string, string>,
  required: readonly string[],
  at: number,
): SimResult | null {
  const { opts } = state;
  const missing = missingParam(p, required);
  if (missing !== undefined)
    return fail(JUSHUITAN_CODES.badParam, `缺少必要参数${missing}`);
  if (p['app_key'] !== opts.appKey) return fail(JUSHUITAN_CODES.badAppKey);
  if (p['sign'] !== jushuitanSign(p, opts.appSecret))
    return fail(JUSHUITAN_CODES.badSign);
  if (!unixSecondsWithin(p['timestamp'] ?? '', at, opts.timestampSkewSeconds))
    return fail(JUSHUITAN_CODES.badTimestamp);
  if (p['charset'] !== 'utf-8')
    return fail(JUSHUITAN_CODES.badParam, 'charset目前只能传utf-8');
  return null;
}

/** `POST /openWeb/auth/getInitToken`: the self-developed app's token. */
export const initToken: ParamsHandler<JushuitanState> = (state, p, at) => {
  const common = checkCommon(
    state,
    p,
    ['app_key', 'grant_type', 'timestamp', 'charset', 'code', 'sign'],
    at,
  );
  if (common) return common;
  if (p['grant_type'] !== 'authorization_code')
    return fail(JUSHUITAN_CODES.badParam, 'grant_type错误');
  const { accessToken } = state.opts;
  return ok({
    access_token: accessToken,
    expires_in: 2_592_000,
    refresh_token: `r${accessToken.slice(1)}`,
    scope: 'all',
  });
};
