/** Jackyun (吉客云) open platform: where calls go, which methods, the documented limits. */
export const JACKYUN_DEFAULT_BASE_URL = 'https://open.jackyun.com';
export const JACKYUN_GATEWAY_PATH = '/open/openapi/do';
/** 吉客云·奇门 router path (reference §1.8); the host is the tenant's Qimen host. */
export const JACKYUN_QIMEN_PATH = '/router/qm';
export const JACKYUN_TRADES_METHOD = 'jackyun.tradenotsensitiveinfos.list.get';
export const JACKYUN_CHANNELS_METHOD = 'erp.sales.get';
/** `oms.trade.fullinfoget`: "起止时间不能超过7天". */
export const JACKYUN_MAX_WINDOW_MS = 7 * 24 * 3600_000;
export const JACKYUN_MAX_PAGE_SIZE = 200;
/** subCode of an app that is not opened for the method (reference §1.4): an auth failure. */
export const JACKYUN_APP_NOT_OPENED_SUBCODE = '0130000609';
