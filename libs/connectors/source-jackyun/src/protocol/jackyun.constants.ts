import { type FailureRules, platformLimits } from '@kingbridge/source-kit';

/** Jackyun (吉客云) open platform: where calls go, which methods, the documented limits and failures. */
export const JACKYUN_GATEWAY_PATH = '/open/openapi/do';
/** 吉客云·奇门 router path (reference §1.8); the host is the tenant's Qimen host. */
export const JACKYUN_QIMEN_PATH = '/router/qm';
export const JACKYUN_TRADES_METHOD = 'jackyun.tradenotsensitiveinfos.list.get';
export const JACKYUN_CHANNELS_METHOD = 'erp.sales.get';
/** `oms.trade.fullinfoget`: "起止时间不能超过7天"; pages of up to 200. */
export const JACKYUN_LIMITS = platformLimits({ windowDays: 7, pageSize: 200 });
/** subCode of an app that is not opened for the method (reference §1.4): an auth failure. */
export const JACKYUN_APP_NOT_OPENED_SUBCODE = '0130000609';

/** A gateway failure (`code != 200`): its `msg`, and its `subCode` as the code. */
export const JACKYUN_FAILURES: FailureRules = {
  throttle: { text: /频|限流|too many|throttl|rate limit/i },
  auth: {
    codes: [JACKYUN_APP_NOT_OPENED_SUBCODE],
    text: /签名|appkey|app ?key|未开通|授权|无权限|sign/i,
  },
  transient: { text: /未知错误|系统繁忙|服务.*不可用|超时|timeout|busy/i },
};

/** A Qimen router failure: its TOP code (e.g. `isv.app-call-limited`) as the text. */
export const JACKYUN_QIMEN_FAILURES: FailureRules = {
  throttle: { text: /call-limited|limit/i },
  auth: { text: /sign|app-key|target|not-opened|timestamp/i },
};
