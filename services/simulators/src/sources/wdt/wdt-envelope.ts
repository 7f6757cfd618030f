import type { SimResult } from '../../common';

/** openapi2's answer to a refused call: `{code, message}`. */
export function wdtFail(
  code: number,
  message: string,
  outcome: SimResult['outcome'] = 'rejected',
  status = 200,
): SimResult {
  return { status, body: { code, message }, outcome, code };
}
