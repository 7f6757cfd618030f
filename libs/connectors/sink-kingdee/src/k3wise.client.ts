import type { ErrorClass } from '@kingbridge/contracts';
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

export interface K3WiseClientOptions extends KingdeeClientOptions {
  /** `http(s)://{host}/K3API` (the simulator: `http://127.0.0.1:18203/K3API`). */
  readonly baseUrl: string;
  /** Partner authorisation code issued in EBDI. */
  readonly authorityCode: string;
}

const answerSchema = z.object({
  StatusCode: z.union([z.number(), z.string()]).transform(Number),
  Message: z.string().nullish(),
  Data: z.unknown().optional(),
});
type Answer = z.infer<typeof answerSchema>;

const tokenDataSchema = z
  .object({
    Token: z.string().min(1),
    Validity: z.union([z.number(), z.string()]).optional(),
  })
  .passthrough();
const saveDataSchema = z
  .object({
    FBillNo: z.string().nullish(),
    FInterID: z.union([z.number(), z.string()]).nullish(),
  })
  .passthrough();
const listDataSchema = z
  .object({ DATA: z.array(z.record(z.string(), z.unknown())).default([]) })
  .passthrough();

/**
 * K/3 WISE WebAPI (K3API) client: token by authorityCode (cached until its
 * validity ends, refetched when refused), `POST /{Object}/Save?token=` and a
 * GetList lookup by FBillNo.
 */
export class K3WiseClient extends TokenCachedClient {
  readonly target = 'k3wise' as const;

  constructor(private readonly options: K3WiseClientOptions) {
    super(options, 30_000);
  }

  protected async writeRow(
    request: WriteRequest,
    row: WriteRow,
  ): Promise<RowOutcome> {
    const data = withBillNo(row.document, row.billNo);
    const answer = await this.call(
      'POST',
      request.formId,
      { Data: data },
      request.signal,
    );
    if (answer.StatusCode !== 200) {
      const message = answer.Message ?? '';
      return {
        kind: 'failed',
        error: kingdeeError(
          classifyAnswer(answer),
          `k3wise ${request.formId}: ${message}`,
        ),
      };
    }
    const saved = saveDataSchema.safeParse(answer.Data ?? {});
    const id = saved.data?.FInterID;
    return {
      kind: 'written',
      id: id === null || id === undefined ? '' : String(id),
      number: saved.data?.FBillNo ?? row.billNo,
    };
  }

  protected async lookUpBills(lookup: BillLookup): Promise<void> {
    const { formId, billNos, signal } = lookup;
    const object = objectOf(formId);
    for (let i = 0; i < billNos.length; i += 100) {
      const chunk = billNos.slice(i, i + 100);
      const answer = await this.call(
        'POST',
        `/${object}/GetList`,
        {
          Data: {
            Top: '0',
            PageSize: String(chunk.length * 2),
            PageIndex: '1',
            Fields: 'FBillNo,FInterID',
            Filter: `[FBillNo] IN (${chunk.map((b) => `'${b.replace(/'/g, "''")}'`).join(',')})`,
          },
        },
        signal,
      );
      if (answer.StatusCode !== 200)
        throw kingdeeError(
          classifyAnswer(answer),
          `k3wise /${object}/GetList: ${answer.Message ?? ''}`,
        );
      const list = listDataSchema.safeParse(answer.Data ?? {});
      if (!list.success)
        throw kingdeeError(
          'bad_response',
          `k3wise /${object}/GetList: unexpected answer`,
        );
      for (const row of list.data.DATA) {
        const number = row['FBillNo'];
        if (typeof number !== 'string') continue;
        lookup.add(number, { id: String(row['FInterID'] ?? ''), number });
      }
    }
  }

  /** One call with `?token=`; a refused token (401) is refetched once. */
  private call(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<Answer> {
    return this.withToken(
      path,
      (token) => this.request(method, path, { token }, body, signal),
      signal,
    );
  }

  protected async fetchToken(signal?: AbortSignal): Promise<ExpiringToken> {
    const answer = await this.request(
      'GET',
      '/Token/Create',
      { authorityCode: this.options.authorityCode },
      undefined,
      signal,
    );
    if (answer.StatusCode !== 200)
      throw kingdeeError(
        'auth',
        `k3wise Token/Create: ${answer.Message ?? ''}`,
      );
    const data = tokenDataSchema.safeParse(answer.Data);
    if (!data.success)
      throw kingdeeError(
        'bad_response',
        'k3wise Token/Create: answer without Token',
      );
    const validity = Number(data.data.Validity ?? 3600);
    return {
      value: data.data.Token,
      expiresAt:
        this.io.now() + (Number.isFinite(validity) ? validity : 3600) * 1000,
    };
  }

  private request(
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string>,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<Answer> {
    return this.observe(path, async (answered) => {
      const base = this.options.baseUrl.replace(/\/+$/, '');
      const url = new URL(`${base}${path.startsWith('/') ? path : `/${path}`}`);
      for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
      const { res, answer } = await this.exchange(
        path,
        {
          url: url.toString(),
          method,
          headers: { 'content-type': 'application/json; charset=utf-8' },
          json: body,
          signal,
        },
        answerSchema,
      );
      if (answer.StatusCode === 401 && !path.startsWith('/Token/'))
        throw new CredentialRefused(answer.Message ?? 'token refused');
      if (res.status >= 300 && answer.StatusCode === 200) {
        throw kingdeeError(
          classifyHttpStatus(res.status),
          `k3wise ${path}: HTTP ${res.status}`,
        );
      }
      if (answer.StatusCode !== 200) answered(classifyAnswer(answer));
      return answer;
    });
  }
}

function classifyAnswer(answer: Answer): ErrorClass {
  const message = answer.Message ?? '';
  if (answer.StatusCode === 503) return 'concurrency_limit';
  if (answer.StatusCode === 401 || answer.StatusCode === 403) return 'auth';
  return (
    classifyKingdeeMessage(message) ??
    (answer.StatusCode >= 500 && !/保存失败/.test(message)
      ? 'server_error'
      : 'validation')
  );
}

/** `/SO/Save` → `SO`. */
function objectOf(formId: string): string {
  return formId.replace(/^\/+/, '').split('/')[0] ?? formId;
}

/** The Save `Data` (`{Page1, Page2}`) with the bill number stamped into Page1. */
function withBillNo(
  document: Readonly<Record<string, unknown>>,
  billNo: string,
): Record<string, unknown> {
  const data = (document['Data'] ?? document) as Record<string, unknown>;
  const page1 = Array.isArray(data['Page1'])
    ? (data['Page1'] as unknown[])
    : [];
  const [head, ...rest] = page1;
  const header =
    typeof head === 'object' && head !== null
      ? { ...(head as Record<string, unknown>), FBillNo: billNo }
      : { FBillNo: billNo };
  return { ...data, Page1: [header, ...rest] };
}
