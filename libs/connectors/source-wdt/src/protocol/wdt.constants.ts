/** WDT 企业版 (旺店通): where calls go (openapi2 or 企业奇门), the documented limits. */
export const WDT_DEFAULT_BASE_URL = 'https://api.wangdian.cn';
export const WDT_STOCKOUT_PATH = '/openapi2/stockout_order_query_trade.php';
/** History of stock-outs older than the live table keeps (reference §2.4). */
export const WDT_STOCKOUT_HISTORY_PATH =
  '/openapi2/his_stockout_order_query_trade.php';
/** 企业奇门 router path (reference §2.7); the host is the tenant's Qimen host. */
export const WDT_QIMEN_PATH = '/router/qm';
export const WDT_QIMEN_STOCKOUT_METHOD = 'wdt.stockout.order.query.trade';
/** "max span 30 days" (WDT-DOC 1.4). */
export const WDT_MAX_WINDOW_MS = 30 * 24 * 3600_000;
export const WDT_MAX_PAGE_SIZE = 100;
/** Documented code of an account without the API (an auth failure). */
export const WDT_NO_PERMISSION_CODE = 1060;
