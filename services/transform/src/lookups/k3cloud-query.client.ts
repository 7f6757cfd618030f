import {
  RESEND_ONCE,
  RetriableError,
  retryWithBackoff,
} from '@kingbridge/pipeline-core';
import type { ExecuteBillQueryFn } from '@kingbridge/transform-engine';
import { z } from 'zod';

/** The K3Cloud account the transform reads lookup rows from (the sink's K3CLOUD_* account). */
export interface K3CloudQueryOptions {
  /** Base URL ending in `/k3cloud/`. */
  readonly baseUrl: string;
  readonly acctId: string;
  readonly userName: string;
  readonly password: string;
  readonly lcid?: number;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

const SERVICE = 'Kingdee.BOS.WebApi.ServicesStub';
const loginAnswerSchema = z
  .object({
    LoginResultType: z.number(),
    KDSVCSessionId: z.string().nullish(),
    Message: z.string().nullish(),
  })
  .passthrough();
const failureSchema = z.object({
  Result: z.object({
    ResponseStatus: z
      .object({
        IsSuccess: z.boolean(),
        MsgCode: z.number().optional(),
        Errors: z.array(z.object({ Message: z.string().nullish() })).nullish(),
      })
      .passthrough(),
  }),
});
const SESSION_LOST = 1;

class SessionLost extends Error {}

/**
 * Read-only K3Cloud access for lookups: ValidateUser (password), the session
 * cookie on each ExecuteBillQuery, one re-login when the session is lost
 * (MsgCode 1). Every failure is a RetriableError: a lookup that cannot be
 * read is retried, never turned into "not found".
 */
export class K3CloudQueryClient {
  private session: string | undefined;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: K3CloudQueryOptions) {
    this.fetchFn = options.fetch ?? fetch;
  }

  /** One re-login and one resend when the session is lost (MsgCode 1). */
  readonly executeBillQuery: ExecuteBillQueryFn = (data) =>
    retryWithBackoff(
      async (attempt) => {
        const session = this.session ?? (await this.login());
        const body = await this.post(
          `${SERVICE}.DynamicFormService.ExecuteBillQuery`,
          { data },
          session,
        );
        const rows = Array.isArray(body) ? (body as unknown[][]) : [];
        const failure = failureSchema.safeParse(rows[0]?.[0]);
        if (!failure.success) return rows;
        const status = failure.data.Result.ResponseStatus;
        if (status.MsgCode === SESSION_LOST && attempt === 1) {
          this.session = undefined;
          throw new SessionLost();
        }
        throw new RetriableError(
          `k3cloud ExecuteBillQuery ${data.FormId}: ${(status.Errors ?? []).map((e) => e.Message ?? '').join('; ') || `MsgCode ${status.MsgCode ?? '?'}`}`,
          { errorClass: 'lookup' },
        );
      },
      { policy: RESEND_ONCE, retryable: (err) => err instanceof SessionLost },
    );

  private async login(): Promise<string> {
    const { acctId, userName, password, lcid } = this.options;
    const res = await this.send(`${SERVICE}.AuthService.ValidateUser`, {
      acctID: acctId,
      username: userName,
      password,
      lcid: lcid ?? 2052,
    });
    const answer = loginAnswerSchema.safeParse(await res.json());
    const cookie = (res.headers.getSetCookie?.() ?? [])
      .map((c) => c.split(';')[0] ?? '')
      .find((c) => c.toLowerCase().startsWith('kdservice-sessionid='));
    const id =
      (answer.success ? answer.data.KDSVCSessionId : undefined) ??
      cookie?.slice(cookie.indexOf('=') + 1);
    if (!answer.success || answer.data.LoginResultType !== 1 || !id) {
      throw new RetriableError(
        `k3cloud login for lookups refused${answer.success ? ` (LoginResultType ${answer.data.LoginResultType})` : ''}`,
        { errorClass: 'auth' },
      );
    }
    this.session = id;
    return id;
  }

  private async post(
    service: string,
    body: unknown,
    session: string,
  ): Promise<unknown> {
    const res = await this.send(service, body, session);
    return res.json() as Promise<unknown>;
  }

  private async send(
    service: string,
    body: unknown,
    session?: string,
  ): Promise<Response> {
    const url = `${this.options.baseUrl.replace(/\/?$/, '/')}${service}.common.kdsvc`;
    try {
      const res = await this.fetchFn(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(session
            ? {
                'kdservice-sessionid': session,
                cookie: `kdservice-sessionid=${session}`,
              }
            : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
      if (res.status !== 200 && res.status !== 206)
        throw new Error(`HTTP ${res.status}`);
      return res;
    } catch (err) {
      throw new RetriableError(
        `k3cloud ${service.split('.').at(-1) ?? service} for lookups failed: ${(err as Error).message}`,
        { errorClass: 'server_error', cause: err },
      );
    }
  }
}
