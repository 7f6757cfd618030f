import { startSourceSimulator } from '../common';
import { adminDataset } from '../source-admin';
import type { RuntimeOptions } from '../source-options.schema';
import {
  XIAOMAN_ORDER_ENUMS_PATH,
  XIAOMAN_ORDER_INFO_PATH,
  XIAOMAN_ORDER_LIST_PATH,
  XIAOMAN_TOKEN_PATH,
} from '@kingbridge/source-xiaoman/protocol';
import { XIAOMAN_ERRORS, xiaomanFail as fail } from './xiaoman-envelope';
import {
  orderEnums,
  orderInfo,
  orderList,
  visibleOrder,
} from './xiaoman-order.handlers';
import { XiaomanTokens } from './xiaoman-token';
import { xiaomanOrderSchema, type XiaomanOrder } from './xiaoman.model';
import {
  XIAOMAN_SOURCE,
  type XiaomanOptions,
  type XiaomanSimulator,
} from './xiaoman.options';

export * from './xiaoman.options';

const ORDER_PATHS = [
  XIAOMAN_ORDER_LIST_PATH,
  XIAOMAN_ORDER_INFO_PATH,
  XIAOMAN_ORDER_ENUMS_PATH,
];

/**
 * Starts the Xiaoman OKKI CRM open API simulator: OAuth2 client_credentials token, Bearer auth,
 * `GET /v1/invoices/order/list` (no product_list), `GET /v1/invoices/order/info` (with product_list)
 * and `GET /v1/invoices/order/orderEnums`.
 */
export async function startXiaomanSimulator(
  input: XiaomanOptions & RuntimeOptions<XiaomanOrder> = {},
): Promise<XiaomanSimulator> {
  const state = XIAOMAN_SOURCE.state(input);
  const tokens = new XiaomanTokens(state);
  const revokeTokens = (): number => tokens.revoke();
  const sim = await startSourceSimulator(state, {
    name: 'xiaoman',
    datasets: [
      adminDataset('orders', state.dataset, xiaomanOrderSchema, visibleOrder),
    ],
    onReset: revokeTokens,
    adminRoutes: [
      {
        method: 'POST',
        path: '/revoke-tokens',
        handle: () => ({ revoked: revokeTokens() }),
      },
    ],
    endpointOf: (req) => req.path,
    errors: XIAOMAN_ERRORS,
    handle: (req) => {
      if (req.path === XIAOMAN_TOKEN_PATH) return tokens.request(req);
      if (!ORDER_PATHS.includes(req.path)) return XIAOMAN_ERRORS.notFound();
      if (req.method !== 'GET') return fail(405, '请使用GET方式请求');
      const denied = tokens.authorize(req, 'invoices');
      if (denied) return denied;
      if (req.path === XIAOMAN_ORDER_LIST_PATH) return orderList(state, req);
      if (req.path === XIAOMAN_ORDER_INFO_PATH) return orderInfo(state, req);
      return orderEnums(state);
    },
  });
  return { ...sim, admin: { ...sim.admin, revokeTokens } };
}
