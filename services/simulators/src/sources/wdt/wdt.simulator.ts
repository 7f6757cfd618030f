import { requestParams } from '../common';
import { adminDataset } from '../source-admin';
import {
  WDT_QIMEN_PATH,
  WDT_STOCKOUT_HISTORY_PATH,
  WDT_STOCKOUT_PATH,
} from '@kingbridge/source-wdt/protocol';
import { WDT_ERRORS, WDT_QIMEN_ERRORS } from './wdt-envelope';
import { qimenCall } from './wdt-qimen.handler';
import { openapiCall } from './wdt-stockout.handler';
import { wdtStockoutSchema } from './wdt.model';
import { WDT_SOURCE } from './wdt.options';

export * from './wdt.options';

/**
 * Starts the WDT 企业版 (旺店通) openapi2 simulator: `POST /openapi2/stockout_order_query_trade.php`
 * (and the `his_` archive path), flat form params, length-prefixed MD5 sign; and the Qimen router in front of it.
 */
export const startWdtSimulator = WDT_SOURCE.start((state) => ({
  name: 'wdt',
  datasets: [adminDataset('stockouts', state.dataset, wdtStockoutSchema)],
  endpointOf: (req) =>
    req.path === WDT_QIMEN_PATH
      ? (requestParams(req, true)['method'] ?? req.path)
      : req.path,
  errors: (req) =>
    req.path === WDT_QIMEN_PATH ? WDT_QIMEN_ERRORS : WDT_ERRORS,
  handle: (req) => {
    if (req.path === WDT_QIMEN_PATH) return qimenCall(state, req);
    const known =
      req.path === WDT_STOCKOUT_PATH || req.path === WDT_STOCKOUT_HISTORY_PATH;
    return known ? openapiCall(state, req) : WDT_ERRORS.notFound();
  },
}));
