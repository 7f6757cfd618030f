import { type FailureRules, platformLimits } from '@kingbridge/source-kit';

/** OKKI (小满) CRM open API: where calls go , the limits we keep and its failures. */
export const XIAOMAN_TOKEN_PATH = '/v1/oauth2/access_token';
export const XIAOMAN_ORDER_LIST_PATH = '/v1/invoices/order/list';
export const XIAOMAN_ORDER_INFO_PATH = '/v1/invoices/order/info';
/** The order enumerations (statuses, currencies) of the tenant. */
export const XIAOMAN_ORDER_ENUMS_PATH = '/v1/invoices/order/orderEnums';
/** No maximum window documented: we keep windows at 7 days. */
export const XIAOMAN_LIMITS = platformLimits({ windowDays: 7, pageSize: 200 });
/** Lifetime of a token when the answer has no `expires_in` (~8 h). */
export const XIAOMAN_TOKEN_TTL_MS = 8 * 3600_000;

/** A failed answer (`code != 200`): its code and message. */
export const XIAOMAN_FAILURES: FailureRules = {
  throttle: { codes: [429], text: /频|限流|too many|throttl|rate limit/i },
  auth: { codes: [401, 403], text: /permission|scope|token|授权|无权限/i },
  transient: { fromCode: 500 },
};
