import type { SimResult } from '../../common';
import type { SourceErrors } from '../common';
import { JUSHUITAN_CODES } from './jushuitan.options';

const MESSAGES: Readonly<Record<number, string>> = {
  0: '执行成功',
  10: '验证失败！无效签名',
  20: '验证失败！无效的app_key',
  190: '验证失败！无API权限，请申请API权限',
  100: '验证失败！无效的access_token或access_token已过期',
  140: '验证失败！无效的timestamp，请求最大时间误差15分钟',
  199: '调用频次超过限制!请稍后再试',
  200: '调用频次超过限制',
  500: '系统繁忙，请稍后再试',
};

/** The open API's refusal: `{code, msg, data: null}`, the code's own message unless given. */
export function jushuitanFail(
  code: number,
  msg?: string,
  outcome: SimResult['outcome'] = 'rejected',
  status = 200,
): SimResult {
  return {
    status,
    body: { code, msg: msg ?? MESSAGES[code] ?? '参数错误', data: null },
    outcome,
    code,
  };
}

/** A successful answer: `{code: 0, msg: '执行成功', data}`. */
export function jushuitanOk(data: unknown): SimResult {
  return {
    status: 200,
    body: { code: 0, msg: MESSAGES[0], data },
    outcome: 'ok',
    code: 0,
  };
}

/** The open API's answers to the stack's refusals. */
export const JUSHUITAN_ERRORS: SourceErrors = {
  notFound: () => jushuitanFail(404, '接口不存在', 'not_found', 404),
  tooLarge: () => jushuitanFail(JUSHUITAN_CODES.badParam, '请求数据过大'),
  unavailable: (outcome) =>
    jushuitanFail(JUSHUITAN_CODES.busy, undefined, outcome),
};
