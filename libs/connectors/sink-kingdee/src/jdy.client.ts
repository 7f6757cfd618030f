import { randomInt } from 'node:crypto';
import type { ErrorClass } from '@kingbridge/contracts';
import { RESEND_ONCE, retryWithBackoff } from '@kingbridge/pipeline-core';
import { z } from 'zod';
import {
  classifyHttpStatus,
  classifyKingdeeMessage,
  kingdeeError,
} from './kingdee-error.classifier';
import type { KingdeeClientOptions } from './kingdee-client.util';
import { CredentialRefused, type ExpiringToken } from './kingdee-session.util';
import { TokenCachedClient, type BillLookup } from './kingdee-token-client';
import type { RowOutcome, WriteRequest, WriteRow } from './kingdee-writer.port';
import {
  jdyAppSignature,
  jdyCanonicalQuery,
  jdyGatewaySignature,
  JDY_ERRCODE,
} from '@kingbridge/sink-kingdee-client/protocol';

export interface JdyClientOptions extends KingdeeClientOptions {
  /** Gateway origin (`https://api.kingdee.com`; the simulator on 18202). */
  readonly baseUrl: string;
  /** Developer app: X-Api-ClientID and the secret signing every call. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** Account app key / secret; without the secret it is fetched with push_app_authorize. */
  readonly appKey: string;
  readonly appSecret?: string;
  /** Needed to (re)fetch the account secret, which rotates every 24 h. */
  readonly outerInstanceId?: string;
  /** IDC domain sent as X-GW-Router-Addr (from push_app_authorize when not given). */
  readonly routerAddr?: string;
}

const envelopeSchema = z.object({
  errcode: z.union([z.number(), z.string()]).transform(Number),
  description: z.string().nullish(),
  data: z.unknown().optional(),
});
/** Gateway-level refusals: `{code, message, details}` (HTTP 404/429/519). */
const gatewayErrorSchema = z.object({
  code: z.union([z.number(), z.string()]),
  message: z.string().nullish(),
});
const answerSchema = z.union([envelopeSchema, gatewayErrorSchema]);

const authorizeDataSchema = z.array(
  z
    .object({
      appKey: z.string(),
      appSecret: z.string(),
      domain: z.string().nullish(),
    })
    .passthrough(),
);
const tokenDataSchema = z
  .object({
    'app-token': z.string().optional(),
    app_token: z.string().optional(),
    access_token: z.string().optional(),
    expires: z.union([z.number(), z.string()]).optional(),
    domain: z.string().nullish(),
  })
  .passthrough();
const saveDataSchema = z.object({
  ids: z.array(z.string()).min(1),
  id_number_map: z.record(z.string(), z.string()).default({}),
});
const detailDataSchema = z
  .object({
    id: z.union([z.string(), z.number()]),
    bill_no: z.string().nullish(),
  })
  .passthrough();

interface Envelope {
  readonly errcode: number;
  readonly description: string;
  readonly data: unknown;
}

class SecretRotated extends Error {}

/**
 * 金蝶云星辰 (JDY) open API v2 client: gateway signature, account
 * authorisation + app-token (cached, refetched when refused), the
 * 盘亏单 save `inv_check_loss_bill` and its detail lookup by bill number.
 */
export class JdyClient extends TokenCachedClient {
  readonly target = 'jdy' as const;
  private appSecret: string | undefined;
  private routerAddr: string | undefined;

  constructor(private readonly options: JdyClientOptions) {
    super(options, 60_000);
    this.appSecret = options.appSecret;
    this.routerAddr = options.routerAddr;
  }

  protected async writeRow(
    request: WriteRequest,
    row: WriteRow,
  ): Promise<RowOutcome> {
    const body = {
      ...row.document,
      bill_no: row.billNo,
      ...stringOptions(request.options),
    };
    const env = await this.business(
      'POST',
      request.formId,
      {},
      body,
      request.signal,
    );
    if (env.errcode !== JDY_ERRCODE.ok) {
      return {
        kind: 'failed',
        error: kingdeeError(
          classifyEnvelope(env),
          `jdy ${request.formId}: ${env.description}`,
        ),
      };
    }
    const data = saveDataSchema.safeParse(env.data);
    if (!data.success) {
      return {
        kind: 'failed',
        error: kingdeeError(
          'bad_response',
          `jdy ${request.formId}: save answer without ids`,
        ),
      };
    }
    const id = data.data.ids[0] ?? '';
    return {
      kind: 'written',
      id,
      number: data.data.id_number_map[id] ?? row.billNo,
    };
  }

  protected async lookUpBills(lookup: BillLookup): Promise<void> {
    const { formId, signal } = lookup;
    for (const number of lookup.billNos) {
      const env = await this.business(
        'GET',
        `${formId}_detail`,
        { number },
        undefined,
        signal,
      );
      if (env.errcode === JDY_ERRCODE.ok) {
        const detail = detailDataSchema.safeParse(env.data);
        if (!detail.success)
          throw kingdeeError(
            'bad_response',
            `jdy ${formId}_detail: unexpected answer`,
          );
        lookup.add(number, {
          id: String(detail.data.id),
          number: detail.data.bill_no ?? number,
        });
      } else if (
        env.errcode !== JDY_ERRCODE.notFound &&
        !/不存在/.test(env.description)
      ) {
        throw kingdeeError(
          classifyEnvelope(env),
          `jdy ${formId}_detail: ${env.description}`,
        );
      }
    }
  }

  /** A business call with app-token; a refused token is refetched once. */
  private business(
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string>,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<Envelope> {
    return this.withToken(
      path,
      (token) =>
        this.request(
          method,
          path,
          query,
          body,
          { 'app-token': token, 'X-GW-Router-Addr': this.routerAddr ?? '' },
          signal,
        ),
      signal,
    );
  }

  protected async fetchToken(signal?: AbortSignal): Promise<ExpiringToken> {
    if (this.appSecret === undefined || this.routerAddr === undefined)
      await this.authorize(signal);
    return retryWithBackoff((attempt) => this.requestToken(attempt, signal), {
      policy: RESEND_ONCE,
      retryable: (e) => e instanceof SecretRotated,
    });
  }

  /** One `kingdee_auth_token` call; a rotated account secret (first attempt) is fetched anew. */
  private async requestToken(
    attempt: number,
    signal?: AbortSignal,
  ): Promise<ExpiringToken> {
    const env = await this.request(
      'GET',
      '/jdyconnector/app_management/kingdee_auth_token',
      {
        app_key: this.options.appKey,
        app_signature: jdyAppSignature(
          this.options.appKey,
          this.appSecret ?? '',
        ),
      },
      undefined,
      {},
      signal,
    );
    if (
      env.errcode === JDY_ERRCODE.appSecretInvalid &&
      attempt === 1 &&
      this.options.outerInstanceId
    ) {
      // The account secret rotates every 24 h: fetch the current one and try once more.
      await this.authorize(signal);
      throw new SecretRotated();
    }
    if (env.errcode !== JDY_ERRCODE.ok)
      throw kingdeeError('auth', `jdy kingdee_auth_token: ${env.description}`);
    const data = tokenDataSchema.safeParse(env.data);
    const value =
      data.data?.['app-token'] ??
      data.data?.app_token ??
      data.data?.access_token;
    if (!data.success || !value)
      throw kingdeeError(
        'bad_response',
        'jdy kingdee_auth_token: answer without app-token',
      );
    if (this.routerAddr === undefined && data.data.domain)
      this.routerAddr = data.data.domain;
    const expires = Number(data.data.expires);
    return {
      value,
      expiresAt:
        Number.isFinite(expires) && expires > this.io.now()
          ? expires
          : this.io.now() + 23 * 3600_000,
    };
  }

  private async authorize(signal?: AbortSignal): Promise<void> {
    const instance = this.options.outerInstanceId;
    if (!instance) {
      if (this.appSecret === undefined)
        throw kingdeeError(
          'auth',
          'jdy: no app secret and no outerInstanceId to fetch it',
        );
      return;
    }
    const env = await this.request(
      'POST',
      '/jdyconnector/app_management/push_app_authorize',
      { outerInstanceId: instance },
      {},
      {},
      signal,
    );
    if (env.errcode !== JDY_ERRCODE.ok)
      throw kingdeeError('auth', `jdy push_app_authorize: ${env.description}`);
    const data = authorizeDataSchema.safeParse(env.data);
    const account =
      data.data?.find((a) => a.appKey === this.options.appKey) ??
      data.data?.[0];
    if (!account)
      throw kingdeeError(
        'auth',
        `jdy push_app_authorize: no authorisation for app key ${this.options.appKey}`,
      );
    this.appSecret = account.appSecret;
    if (this.options.routerAddr === undefined && account.domain)
      this.routerAddr = account.domain;
  }

  /** One signed gateway call (reference §2.1–2.2). */
  private async request(
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string>,
    body: unknown,
    extraHeaders: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<Envelope> {
    return this.observe(path, async (answered) => {
      const url = new URL(path, this.options.baseUrl);
      for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
      const timestamp = String(this.io.now());
      const nonce = String(randomInt(1, 2 ** 31 - 1));
      const signature = jdyGatewaySignature(
        this.options.clientSecret,
        method,
        url.pathname,
        jdyCanonicalQuery(Object.entries(query)),
        nonce,
        timestamp,
      );
      const { res, answer } = await this.exchange(
        path,
        {
          url: url.toString(),
          method,
          headers: {
            'content-type': 'application/json',
            'X-Api-ClientID': this.options.clientId,
            'X-Api-Auth-Version': '2.0',
            'X-Api-TimeStamp': timestamp,
            'X-Api-Nonce': nonce,
            'X-Api-SignHeaders': 'X-Api-TimeStamp,X-Api-Nonce',
            'X-Api-Signature': signature,
            ...extraHeaders,
          },
          json: body,
          signal,
        },
        answerSchema,
      );
      if ('errcode' in answer) {
        const env: Envelope = {
          errcode: answer.errcode,
          description: answer.description ?? '',
          data: answer.data,
        };
        if (env.errcode === JDY_ERRCODE.tokenInvalid)
          throw new CredentialRefused(env.description);
        if (env.errcode !== JDY_ERRCODE.ok) answered(classifyEnvelope(env));
        return env;
      }
      const errorClass =
        res.status >= 200 && res.status < 300
          ? 'bad_response'
          : classifyHttpStatus(res.status);
      throw kingdeeError(
        errorClass,
        `jdy ${path}: HTTP ${res.status} ${answer.message ?? ''}`.trim(),
        {
          ...(res.retryAfterMs !== undefined
            ? { retryAfterMs: res.retryAfterMs }
            : {}),
        },
      );
    });
  }
}

function classifyEnvelope(env: Envelope): ErrorClass {
  if (env.errcode === JDY_ERRCODE.systemError) return 'server_error';
  if (env.errcode === JDY_ERRCODE.appSecretInvalid) return 'auth';
  return classifyKingdeeMessage(env.description) ?? 'validation';
}

/** JDY body fields from plan options (e.g. operation_key); K3Cloud-style flags are not JDY fields. */
function stringOptions(
  options: Readonly<Record<string, string | number | boolean>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(options))
    if (/^[a-z_]+$/.test(k)) out[k] = String(v);
  return out;
}
