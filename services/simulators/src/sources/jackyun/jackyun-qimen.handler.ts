import type { SimRequest, SimResult } from '../../common';
import {
  qimenFailure as failure,
  qimenRouterCheck,
  type QimenRouterSpec,
} from '../common';
import { jackyunSign, qimenSign } from '@kingbridge/source-jackyun/protocol';
import { dispatch } from './jackyun-gateway';
import type { JackyunContext } from './jackyun.options';

const QIMEN_SYSTEM_PARAMS = [
  'method',
  'app_key',
  'target_app_key',
  'format',
  'v',
  'sign_method',
  'timestamp',
  'sign',
  'jkyappkey',
  'jkytimestamp',
  'jkyversion',
  'content',
  'jkysign',
] as const;

const ROUTER: QimenRouterSpec = {
  systemParams: QIMEN_SYSTEM_PARAMS,
  sign: qimenSign,
  md5Only: false,
};

/**
 * 吉客云·奇门 (reference §1.8): the Qimen router checks its TOP signature,
 * the Jackyun part is signed as on the direct gateway (jkysign over the
 * jky* params and `content`); the Jackyun answer comes back inside `response`.
 */
export function qimenCall(ctx: JackyunContext, req: SimRequest): SimResult {
  const { opts } = ctx.state;
  const checked = qimenRouterCheck(req, opts, ROUTER);
  if ('refusal' in checked) return checked.refusal;
  const p = checked.params;
  if (p['target_app_key'] !== opts.qimenTargetAppKey)
    return failure('isv.invalid-target', '目标应用不存在');
  const direct: Record<string, string> = {
    method: p['jkymethod'] ?? p['method'] ?? '',
    appkey: p['jkyappkey'] ?? '',
    version: p['jkyversion'] ?? '',
    contenttype: 'json',
    timestamp: p['jkytimestamp'] ?? '',
    bizcontent: p['content'] ?? '',
  };
  if (direct['appkey'] !== opts.appkey)
    return failure('isv.app-not-opened', '该应用未开通开放平台');
  if (p['jkysign'] !== jackyunSign(direct, opts.secret))
    return failure('isv.jkysign-check-failure', '签名错误');
  const result = dispatch(ctx, direct, req.at);
  const body = result.body as {
    code?: unknown;
    msg?: unknown;
    subCode?: unknown;
    result?: unknown;
  };
  const ok = String(body.code) === '200';
  return {
    ...result,
    body: {
      response: {
        flag: ok ? 'success' : 'failure',
        code: String(body.code ?? ''),
        message: body.msg ?? '',
        subCode: body.subCode ?? '',
        ...(body.result !== undefined ? { result: body.result } : {}),
      },
    },
  };
}
