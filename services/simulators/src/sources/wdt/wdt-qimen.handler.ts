import type { SimRequest, SimResult } from '../../common';
import {
  beijingWithin,
  qimenFailure as fail,
  qimenRouterCheck,
  type QimenRouterSpec,
} from '../common';
import {
  qimenSign,
  WDT_QIMEN_STOCKOUT_METHOD,
} from '@kingbridge/source-wdt/protocol';
import { stockoutQuery } from './wdt-stockout.handler';
import type { WdtState } from './wdt.options';

/** WDT through the Qimen (奇门) router (reference §2.7). */
const QIMEN_SYSTEM_PARAMS = [
  'method',
  'app_key',
  'target_app_key',
  'sid',
  'format',
  'v',
  'sign_method',
  'timestamp',
  'sign',
] as const;

const ROUTER: QimenRouterSpec = {
  systemParams: QIMEN_SYSTEM_PARAMS,
  sign: qimenSign,
  md5Only: true,
};

/** The Qimen variant: TOP sign, `yyyy-MM-dd HH:mm:ss` timestamp, answers wrapped in `response` with `errorcode`. */
export function qimenCall(state: WdtState, req: SimRequest): SimResult {
  const { opts } = state;
  const checked = qimenRouterCheck(req, opts, ROUTER);
  if ('refusal' in checked) return checked.refusal;
  const p = checked.params;
  if (
    !beijingWithin(p['timestamp'] ?? '', req.at, opts.qimenTimestampSkewSeconds)
  )
    return fail('invalid-timestamp', 'Invalid timestamp');
  if (p['method'] !== WDT_QIMEN_STOCKOUT_METHOD)
    return fail('invalid-method', `Invalid method ${p['method']}`);
  if (p['target_app_key'] !== opts.qimenTargetAppKey || p['sid'] !== opts.sid)
    return fail('isv.invalid-target', '卖家账号或目标应用不存在');
  if (state.limiter.tryAcquire(req.at) !== null)
    return fail('app-call-limited', 'App Call Limited', 'throttled');
  const business: Record<string, string> = {};
  for (const [k, v] of Object.entries(p))
    if (!(QIMEN_SYSTEM_PARAMS as readonly string[]).includes(k))
      business[k] = v;
  const result = stockoutQuery(state, business, req.at);
  const {
    code,
    message: msg,
    ...rest
  } = result.body as Record<string, unknown>;
  const response =
    code === 0 ? { errorcode: 0, ...rest } : { errorcode: code, message: msg };
  return { ...result, body: { response } };
}
