import type { SimResult } from '../../common';
import type { SourceErrors } from '../common';
import { JACKYUN_SUBCODES } from './jackyun.options';

/** The gateway's answers; every one carries a fresh `contextId`. */
export interface JackyunReplies {
  fail(
    subCode: string,
    msg: string,
    outcome?: SimResult['outcome'],
    status?: number,
  ): SimResult;
  ok(result: Record<string, unknown>): SimResult;
  /** The gateway's answers to the stack's refusals. */
  errors: SourceErrors;
}

export function jackyunReplies(): JackyunReplies {
  let contextSeq = 0;
  const contextId = (): string =>
    String(2086180815808988032n + BigInt(++contextSeq));
  const replies: Omit<JackyunReplies, 'errors'> = {
    fail: (subCode, msg, outcome = 'rejected', status = 200) => ({
      status,
      body: {
        code: 0,
        msg,
        subCode,
        result: { data: null, contextId: contextId() },
      },
      outcome,
      code: subCode,
    }),
    ok: (result) => ({
      status: 200,
      body: {
        code: 200,
        msg: '',
        subCode: '',
        result: { ...result, contextId: contextId() },
      },
      outcome: 'ok',
      code: 200,
    }),
  };
  const { fail } = replies;
  return {
    ...replies,
    errors: {
      notFound: () =>
        fail(JACKYUN_SUBCODES.notFound, '请求路径不存在', 'not_found', 404),
      tooLarge: () => fail(JACKYUN_SUBCODES.badParam, '请求体过大'),
      unavailable: (outcome) =>
        fail(JACKYUN_SUBCODES.unknown, '未知错误', outcome),
    },
  };
}
