import type { SimResult } from '../../common';
import { qimenFailure, type SourceErrors } from '../common';
import { WDT_CODES } from './wdt.options';

/** openapi2's answer to a refused call: `{code, message}`. */
export function wdtFail(
  code: number,
  message: string,
  outcome: SimResult['outcome'] = 'rejected',
  status = 200,
): SimResult {
  return { status, body: { code, message }, outcome, code };
}

/** openapi2's answers to the stack's refusals. */
export const WDT_ERRORS: SourceErrors = {
  notFound: () => wdtFail(WDT_CODES.notFound, '接口不存在', 'not_found', 404),
  tooLarge: () => wdtFail(WDT_CODES.badParam, '请求数据过大'),
  unavailable: (outcome) =>
    wdtFail(WDT_CODES.busy, '系统繁忙，请稍后再试', outcome),
};

/** The Qimen router's: an unknown path is openapi2's; the rest is the router's own unavailability. */
export const WDT_QIMEN_ERRORS: SourceErrors = {
  notFound: WDT_ERRORS.notFound,
  tooLarge: () => WDT_QIMEN_ERRORS.unavailable('rejected'),
  unavailable: (outcome) =>
    qimenFailure('isp.service-unavailable', '服务暂不可用', outcome),
};
