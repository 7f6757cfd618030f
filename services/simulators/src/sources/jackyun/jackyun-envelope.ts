import type { SimResult } from '../../common';

/** The gateway's answers; every one carries a fresh `contextId`. */
export interface JackyunReplies {
  fail(
    subCode: string,
    msg: string,
    outcome?: SimResult['outcome'],
    status?: number,
  ): SimResult;
  ok(result: Record<string, unknown>): SimResult;
}

export function jackyunReplies(): JackyunReplies {
  let contextSeq = 0;
  const contextId = (): string =>
    String(2086180815808988032n + BigInt(++contextSeq));
  return {
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
}
