import {
  createSourceState,
  requestParams,
  startSourceSimulator,
} from '../common';
import { adminDataset } from '../source-admin';
import type { SourceSimulator } from '../source-kit';
import type { RuntimeOptions } from '../source-options.schema';
import { jushuitanCountSpec } from './jushuitan-data';
import {
  JUSHUITAN_INVENTORY_COUNT_PATH as JUSHUITAN_COUNT_PATH,
  JUSHUITAN_TOKEN_PATH,
} from '@kingbridge/source-jushuitan/protocol';
import { initToken } from './jushuitan-auth';
import { countQuery } from './jushuitan-count.handler';
import { jushuitanFail as fail } from './jushuitan-envelope';
import { jushuitanCountSchema, type JushuitanCount } from './jushuitan.model';
import {
  JUSHUITAN_CODES,
  jushuitanOptionsSchema,
  type JushuitanOptions,
} from './jushuitan.options';

export {
  JUSHUITAN_CODES,
  jushuitanOptionsSchema,
  type JushuitanOptions,
} from './jushuitan.options';

/**
 * Starts the Jushuitan (聚水潭) open API v2 simulator: `POST /open/inventory/count/query` (form body,
 * `biz` JSON) and the self-developed app token call `POST /openWeb/auth/getInitToken`.
 */
export async function startJushuitanSimulator(
  input: JushuitanOptions & RuntimeOptions<JushuitanCount> = {},
): Promise<SourceSimulator> {
  // Scope of the limits is unconfirmed: we count per app (all APIs together).
  const state = createSourceState(
    {
      optionsSchema: jushuitanOptionsSchema,
      recordSchema: jushuitanCountSchema,
      dataset: jushuitanCountSpec,
      throttle: {
        perSecond: JUSHUITAN_CODES.perSecond as number,
        perMinute: JUSHUITAN_CODES.perMinute as number,
      },
    },
    input,
  );
  const { opts } = state;
  return startSourceSimulator(state, {
    name: 'jushuitan',
    datasets: [adminDataset('counts', state.dataset, jushuitanCountSchema)],
    endpointOf: (req) => req.path,
    platformError: (kind) =>
      kind === 'not_found'
        ? fail(404, '接口不存在', 'not_found', 404)
        : kind === 'too_large'
          ? fail(JUSHUITAN_CODES.badParam, '请求数据过大')
          : fail(
              JUSHUITAN_CODES.busy,
              undefined,
              kind === 'fault' ? 'fault' : 'rejected',
            ),
    handle: (req) => {
      const known =
        req.path === JUSHUITAN_COUNT_PATH || req.path === JUSHUITAN_TOKEN_PATH;
      if (!known) return fail(404, '接口不存在', 'not_found', 404);
      if (req.method !== 'POST')
        return fail(JUSHUITAN_CODES.badParam, '请使用POST方式调用');
      if (req.contentType !== 'application/x-www-form-urlencoded') {
        return fail(
          JUSHUITAN_CODES.badParam,
          'Content-Type必须为application/x-www-form-urlencoded',
        );
      }
      if (opts.ipWhitelist && !opts.ipWhitelist.includes(req.remoteAddress)) {
        return fail(
          JUSHUITAN_CODES.ipNotAllowed,
          `验证失败！已设置IP白名单，该IP不在白名单列表：${req.remoteAddress}`,
        );
      }
      const p = requestParams(req, false);
      return req.path === JUSHUITAN_COUNT_PATH
        ? countQuery(state, p, req.at)
        : initToken(state, p, req.at);
    },
  });
}
