import { requestParams } from '../common';
import { adminDataset } from '../source-admin';
import {
  JUSHUITAN_INVENTORY_COUNT_PATH as JUSHUITAN_COUNT_PATH,
  JUSHUITAN_TOKEN_PATH,
} from '@kingbridge/source-jushuitan/protocol';
import { initToken } from './jushuitan-auth';
import { countQuery } from './jushuitan-count.handler';
import { JUSHUITAN_ERRORS, jushuitanFail as fail } from './jushuitan-envelope';
import { jushuitanCountSchema } from './jushuitan.model';
import { JUSHUITAN_CODES, JUSHUITAN_SOURCE } from './jushuitan.options';

export * from './jushuitan.options';

const FORM = 'application/x-www-form-urlencoded';

/**
 * Starts the Jushuitan (聚水潭) open API v2 simulator: `POST /open/inventory/count/query` (form body,
 * `biz` JSON) and the self-developed app token call `POST /openWeb/auth/getInitToken`.
 * Scope of the rate limits is unconfirmed: we count per app (all APIs together).
 */
export const startJushuitanSimulator = JUSHUITAN_SOURCE.start((state) => ({
  name: 'jushuitan',
  datasets: [adminDataset('counts', state.dataset, jushuitanCountSchema)],
  endpointOf: (req) => req.path,
  errors: JUSHUITAN_ERRORS,
  handle: (req) => {
    const { ipWhitelist } = state.opts;
    const known =
      req.path === JUSHUITAN_COUNT_PATH || req.path === JUSHUITAN_TOKEN_PATH;
    if (!known) return JUSHUITAN_ERRORS.notFound();
    if (req.method !== 'POST')
      return fail(JUSHUITAN_CODES.badParam, '请使用POST方式调用');
    if (req.contentType !== FORM)
      return fail(JUSHUITAN_CODES.badParam, `Content-Type必须为${FORM}`);
    if (ipWhitelist && !ipWhitelist.includes(req.remoteAddress))
      return fail(
        JUSHUITAN_CODES.ipNotAllowed,
        `验证失败！已设置IP白名单，该IP不在白名单列表：${req.remoteAddress}`,
      );
    const p = requestParams(req, false);
    return req.path === JUSHUITAN_COUNT_PATH
      ? countQuery(state, p, req.at)
      : initToken(state, p, req.at);
  },
}));
