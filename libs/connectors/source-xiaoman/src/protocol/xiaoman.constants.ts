/** OKKI (小满) CRM open API: where calls go and the limits we keep. */
export const XIAOMAN_DEFAULT_BASE_URL = 'https://api-sandbox.xiaoman.cn';
export const XIAOMAN_TOKEN_PATH = '/v1/oauth2/access_token';
export const XIAOMAN_ORDER_LIST_PATH = '/v1/invoices/order/list';
export const XIAOMAN_ORDER_INFO_PATH = '/v1/invoices/order/info';
/** The order enumerations (statuses, currencies) of the tenant. */
export const XIAOMAN_ORDER_ENUMS_PATH = '/v1/invoices/order/orderEnums';
/** No maximum documented; we keep windows at 7 days. */
export const XIAOMAN_MAX_WINDOW_MS = 7 * 24 * 3600_000;
export const XIAOMAN_MAX_PAGE_SIZE = 200;
/** Lifetime of a token when the answer has no `expires_in` (~8 h). */
export const XIAOMAN_TOKEN_TTL_MS = 8 * 3600_000;
