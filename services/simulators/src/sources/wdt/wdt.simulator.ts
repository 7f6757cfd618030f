import {
  requestParams,
  startSourceSimulator,
  createSourceState,
  qimenFailure,
} from '../common';
import { adminDataset } from '../source-admin';
import type { SourceSimulator } from '../source-kit';
import type { RuntimeOptions } from '../source-options.schema';
import {
  WDT_QIMEN_PATH,
  WDT_STOCKOUT_HISTORY_PATH,
  WDT_STOCKOUT_PATH,
} from '@kingbridge/source-wdt/protocol';
import { wdtStockoutSpec } from './wdt-data';
import { wdtFail as fail } from './wdt-envelope';
import { qimenCall } from './wdt-qimen.handler';
import { openapiCall } from './wdt-stockout.handler';
import { wdtStockoutSchema, type WdtStockout } from './wdt.model';
import { WDT_CODES, wdtOptionsSchema, type WdtOptions } from './wdt.options';

export {
  WDT_CODES,
  WDT_STATUSES,
  wdtOptionsSchema,
  type WdtOptions,
} from './wdt.options';

/**
 * Starts the WDT 企业版 (旺店通) openapi2 simulator: `POST /openapi2/stockout_order_query_trade.php`
 * (and the `his_` archive path), flat form params, length-prefixed MD5 sign; and the Qimen router in front of it.
 */
export async function startWdtSimulator(
  input: WdtOptions & RuntimeOptions<WdtStockout> = {},
): Promise<SourceSimulator> {
  const state = createSourceState(
    {
      optionsSchema: wdtOptionsSchema,
      recordSchema: wdtStockoutSchema,
      dataset: wdtStockoutSpec,
      throttle: WDT_CODES.throttled as number,
    },
    input,
  );
  return startSourceSimulator(state, {
    name: 'wdt',
    datasets: [adminDataset('stockouts', state.dataset, wdtStockoutSchema)],
    endpointOf: (req) =>
      req.path === WDT_QIMEN_PATH
        ? (requestParams(req, true)['method'] ?? req.path)
        : req.path,
    platformError: (kind, req) =>
      req.path === WDT_QIMEN_PATH && kind !== 'not_found'
        ? qimenFailure(
            'isp.service-unavailable',
            '服务暂不可用',
            kind === 'fault' ? 'fault' : 'rejected',
          )
        : kind === 'not_found'
          ? fail(WDT_CODES.notFound, '接口不存在', 'not_found', 404)
          : kind === 'too_large'
            ? fail(WDT_CODES.badParam, '请求数据过大')
            : fail(
                WDT_CODES.busy,
                '系统繁忙，请稍后再试',
                kind === 'fault' ? 'fault' : 'rejected',
              ),
    handle: (req) => {
      if (req.path === WDT_QIMEN_PATH) return qimenCall(state, req);
      if (
        req.path !== WDT_STOCKOUT_PATH &&
        req.path !== WDT_STOCKOUT_HISTORY_PATH
      )
        return fail(WDT_CODES.notFound, '接口不存在', 'not_found', 404);
      return openapiCall(state, req);
    },
  });
}
