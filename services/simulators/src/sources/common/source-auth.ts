import { parseBeijing, type SimRequest, type SimResult } from '../../common';

/** A platform call on its parsed parameters, at the simulator clock `at` (ms). */
export type ParamsHandler<S> = (
  state: S,
  p: Record<string, string>,
  at: number,
) => SimResult;

/** The request's parameters: the form body, and the query string under it when `withQuery`. */
export function requestParams(
  req: SimRequest,
  withQuery: boolean,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (withQuery) for (const [k, v] of req.query) out[k] = v;
  for (const [k, v] of req.form) out[k] = v;
  return out;
}

/** The first of `names` absent or empty in `params`, or undefined when all are there. */
export function missingParam(
  params: Record<string, string>,
  names: readonly string[],
): string | undefined {
  return names.find((name) => !params[name]);
}

/** A 10-digit epoch-seconds timestamp within `skewSeconds` of `at` (ms). */
export function unixSecondsWithin(
  text: string,
  at: number,
  skewSeconds: number,
): boolean {
  return (
    /^\d{10}$/.test(text) &&
    Math.abs(Number(text) * 1000 - at) <= skewSeconds * 1000
  );
}

/** A `yyyy-MM-dd HH:mm:ss` Beijing timestamp within `skewSeconds` of `at` (ms). */
export function beijingWithin(
  text: string,
  at: number,
  skewSeconds: number,
): boolean {
  const ts = parseBeijing(text);
  return ts !== null && Math.abs(ts - at) <= skewSeconds * 1000;
}

/** The Qimen (奇门) router's own refusal, before the platform behind it is called. */
export function qimenFailure(
  code: string,
  message: string,
  outcome: SimResult['outcome'] = 'rejected',
): SimResult {
  return {
    status: 200,
    body: { response: { flag: 'failure', code, message } },
    outcome,
    code,
  };
}

/** A JSON-encoded parameter (`biz`, `bizcontent`) parsed, or undefined when it is not JSON. */
export function parseJsonParam(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/** What the Qimen router checks before the platform: its system parameters, app key, sign method and TOP sign. */
export interface QimenRouterSpec {
  systemParams: readonly string[];
  sign(params: Record<string, string>, secret: string): string;
  /** Refuse a `sign_method` other than md5 (checked between app key and sign). */
  md5Only: boolean;
}

/** The Qimen router's checks of a request: its parameters, or the router's refusal. */
export function qimenRouterCheck(
  req: SimRequest,
  keys: { qimenAppKey: string; qimenSecret: string },
  spec: QimenRouterSpec,
): { params: Record<string, string> } | { refusal: SimResult } {
  const p = requestParams(req, true);
  const missing = missingParam(p, spec.systemParams);
  const refusal =
    missing !== undefined
      ? qimenFailure('missing-parameter', `缺少参数${missing}`)
      : p['app_key'] !== keys.qimenAppKey
        ? qimenFailure('invalid-app-key', 'Invalid app key')
        : spec.md5Only && p['sign_method'] !== 'md5'
          ? qimenFailure('invalid-sign-method', 'Invalid sign method')
          : p['sign'] !== spec.sign(p, keys.qimenSecret)
            ? qimenFailure('sign-check-failure', 'Illegal request')
            : undefined;
  return refusal ? { refusal } : { params: p };
}
