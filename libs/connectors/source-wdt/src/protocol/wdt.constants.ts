import { type FailureRules, platformLimits } from '@kingbridge/source-kit';

/** WDT 企业版 (旺店通): where calls go (openapi2 or 企业奇门), the documented limits and failures. */
export const WDT_STOCKOUT_PATH = '/openapi2/stockout_order_query_trade.php';
/** History of stock-outs older than the live table keeps (reference §2.4). */
export const WDT_STOCKOUT_HISTORY_PATH =
  '/openapi2/his_stockout_order_query_trade.php';
/** 企业奇门 router path (reference §2.7); the host is the tenant's Qimen host. */
export const WDT_QIMEN_PATH = '/router/qm';
export const WDT_QIMEN_STOCKOUT_METHOD = 'wdt.stockout.order.query.trade';
/** "max span 30 days" (WDT-DOC 1.4); pages of up to 100. */
export const WDT_LIMITS = platformLimits({ windowDays: 30, pageSize: 100 });
/** Documented code of an account without the API (an auth failure). */
export const WDT_NO_PERMISSION_CODE = 1060;

/** A failed openapi2 answer (`code != 0`): its code and message. */
export const WDT_FAILURES: FailureRules = {
  throttle: { text: /频|限流|超过.*次|too many|throttl|rate limit/i },
  auth: {
    codes: [WDT_NO_PERMISSION_CODE],
    text: /签名|sign|appkey|账号|sid|授权|权限|欠费|invalid app/i,
  },
  transient: { text: /系统繁忙|服务.*不可用|超时|busy|timeout|internal/i },
};

/** A Qimen router failure: its TOP code (e.g. `sign-check-failure`, `app-call-limited`) as the text. */
export const WDT_QIMEN_FAILURES: FailureRules = {
  throttle: { text: /call-limited|limit|throttl|频/i },
  auth: { text: /sign|app-key|timestamp|target|permission|session|auth/i },
  transient: { text: /service-unavailable|isp\.|timeout/i },
};
