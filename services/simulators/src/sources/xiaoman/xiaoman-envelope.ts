import { formatBeijing, type SimResult } from '../../common';
import type { SourceErrors } from '../common';

/** A refusal: the HTTP status, repeated as `code`, with a message. */
export function xiaomanFail(
  status: number,
  message: string,
  outcome: SimResult['outcome'] = 'rejected',
): SimResult {
  return { status, body: { code: status, message }, outcome, code: status };
}

/** A successful answer, stamped with the simulator clock's Beijing time. */
export function xiaomanOk(clock: () => number, data: unknown): SimResult {
  return {
    status: 200,
    body: { code: 200, message: 'success', now: formatBeijing(clock()), data },
    outcome: 'ok',
    code: 200,
  };
}

/** The API's answers to the stack's refusals. */
export const XIAOMAN_ERRORS: SourceErrors = {
  notFound: () => xiaomanFail(404, '接口不存在', 'not_found'),
  tooLarge: () => xiaomanFail(413, '请求体过大'),
  unavailable: (outcome) => xiaomanFail(500, '系统繁忙，请稍后重试', outcome),
};
