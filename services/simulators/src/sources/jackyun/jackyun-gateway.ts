import type { SimRequest, SimResult } from '../../common';
import {
  beijingWithin,
  missingParam,
  parseJsonParam,
  requestParams,
} from '../common';
import {
  JACKYUN_CHANNELS_METHOD,
  JACKYUN_TRADES_METHOD,
  jackyunSign,
} from '@kingbridge/source-jackyun/protocol';
import { queryChannels } from './jackyun-channels.handler';
import { queryTrades } from './jackyun-trades.handler';
import { JACKYUN_SUBCODES, type JackyunContext } from './jackyun.options';

const SYSTEM_PARAMS = [
  'method',
  'appkey',
  'version',
  'contenttype',
  'timestamp',
  'bizcontent',
  'sign',
] as const;

/** A signed call (either gateway): version, time, rate limit, method, bizcontent, then the query. */
export function dispatch(
  ctx: JackyunContext,
  params: Record<string, string>,
  at: number,
): SimResult {
  const { fail } = ctx.reply;
  const { opts, limiter } = ctx.state;
  if (params['version'] !== 'v1.0' && params['version'] !== '1.0')
    return fail(
      JACKYUN_SUBCODES.badParam,
      `不支持的版本号${params['version']}`,
    );
  if (params['contenttype']?.toLowerCase() !== 'json')
    return fail(JACKYUN_SUBCODES.badParam, 'contenttype必须为json');
  if (!beijingWithin(params['timestamp'] ?? '', at, opts.timestampSkewSeconds))
    return fail(
      JACKYUN_SUBCODES.badTimestamp,
      '时间戳错误或已过期，请检查timestamp（yyyy-MM-dd HH:mm:ss，北京时间）',
    );
  if (limiter.tryAcquire(at) !== null)
    return fail(
      JACKYUN_SUBCODES.throttled,
      '接口调用频率超过限制，请稍后再试',
      'throttled',
    );
  const method = params['method'];
  if (method !== JACKYUN_TRADES_METHOD && method !== JACKYUN_CHANNELS_METHOD)
    return fail(JACKYUN_SUBCODES.unknownMethod, `接口${method}不存在或未授权`);
  const biz = parseJsonParam(params['bizcontent'] ?? '');
  if (!biz) return fail(JACKYUN_SUBCODES.badParam, 'bizcontent不是合法的JSON');
  const value = biz.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return fail(JACKYUN_SUBCODES.badParam, 'bizcontent必须是JSON对象');
  return method === JACKYUN_TRADES_METHOD
    ? queryTrades(ctx, value, at)
    : queryChannels(ctx, value);
}

/** `POST /open/openapi/do`: system parameters, appkey and sign, then `dispatch`. */
export function gatewayCall(ctx: JackyunContext, req: SimRequest): SimResult {
  const { fail } = ctx.reply;
  const { opts } = ctx.state;
  if (req.method !== 'POST')
    return fail(JACKYUN_SUBCODES.notPost, '请使用POST方式调用');
  const params = requestParams(req, true);
  const missing = missingParam(params, SYSTEM_PARAMS);
  if (missing !== undefined)
    return fail(JACKYUN_SUBCODES.missingParam, `缺少必要参数${missing}`);
  if (params['appkey'] !== opts.appkey)
    return fail(
      JACKYUN_SUBCODES.appNotOpened,
      '该应用未开通开放平台，无法调用接口，请联系客户经理处理',
    );
  if (params['sign'] !== jackyunSign(params, opts.secret))
    return fail(JACKYUN_SUBCODES.badSign, '签名错误');
  return dispatch(ctx, params, req.at);
}
