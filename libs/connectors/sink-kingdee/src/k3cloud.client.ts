import type { ErrorClass } from '@kingbridge/contracts';
import { toPipelineError, type PipelineError } from '@kingbridge/pipeline-core';
import type { z } from 'zod';
import {
  classifyK3MsgCode,
  classifyK3RowError,
  kingdeeError,
} from './kingdee-error.classifier';
import {
  kingdeeTransport,
  type KingdeeClientOptions,
  type KingdeeTransport,
} from './kingdee-client.util';
import {
  parseKingdeeJson,
  type KingdeeHttpResponse,
} from './kingdee-http.util';
import {
  CredentialRefused,
  observeRequest,
  SharedCredential,
  withCredential,
} from './kingdee-session.util';
import type {
  BillMatch,
  BillRef,
  KingdeeWriter,
  UpdateOutcome,
  UpdateRequest,
  RowOutcome,
  WriteRequest,
  WriteRow,
} from './kingdee-writer.port';
import {
  k3LoginAnswerSchema,
  k3OperationAnswerSchema,
  k3QueryAnswerSchema,
  k3QueryFailureSchema,
  type K3ResponseStatus,
} from '@kingbridge/sink-kingdee-client/protocol';
import {
  k3ApiSignature,
  k3AppDataPlain,
  k3GatewaySecret,
  k3KdSignature,
  k3LoginSign,
  type K3LoginSignAlgorithm,
  K3_AUTH_SERVICE,
  K3_DYNAMIC_FORM_SERVICE,
  K3_MSG,
  K3_SESSION_LOST_MESSAGE,
  k3FormKeys,
  type K3FormKeys,
} from '@kingbridge/sink-kingdee-client/protocol';

const AUTH = K3_AUTH_SERVICE;
const DYN = K3_DYNAMIC_FORM_SERVICE;
const USER_AGENT = 'Kingbridge/1.0 (K3Cloud WebAPI client)';
const LOOKUP_CHUNK = 200;
/** Bills per content lookup: one answer row per entry row, and Limit is at most 10000. */
const MATCH_CHUNK = 20;

/** The third-party app of the app modes: its id (`{clientId}_{secret}`) and secret. */
export interface K3CloudApp {
  readonly appId: string;
  readonly appSecret: string;
}

/** How the client authenticates (reference §1.4–1.5). */
export type K3CloudAuth =
  | { readonly mode: 'password'; readonly password: string }
  | (K3CloudApp & { readonly mode: 'app-secret' | 'signed-headers' })
  | (K3CloudApp & {
      readonly mode: 'sign';
      readonly algorithm?: K3LoginSignAlgorithm;
    });

export interface K3CloudClientOptions extends KingdeeClientOptions {
  /** Base URL ending in `/k3cloud/` (private cloud) or `/galaxyapi/`. */
  readonly baseUrl: string;
  readonly acctId: string;
  readonly userName: string;
  readonly auth: K3CloudAuth;
  /** 2052 zh-CN (default), 1033 en-US. */
  readonly lcid?: number;
  /** Org number for the signed-header mode (default `0`). */
  readonly orgNum?: string;
}

interface Session {
  readonly id: string;
  readonly cookies: string;
}

/**
 * 金蝶云星空 WebAPI client: login (ValidateUser, LoginByAppSecret,
 * LoginBySign) or SDK signed headers, the sliding session renewed when a
 * call answers `MsgCode 1`, Save / BatchSave with per-row results (DIndex),
 * ExecuteBillQuery by bill number.
 */
export class K3CloudClient implements KingdeeWriter {
  readonly target = 'k3cloud' as const;
  private readonly io: KingdeeTransport;
  private readonly lcid: number;
  private readonly session: SharedCredential<Session>;
  private logins = 0;
  /** Service URLs by path (a handful), resolved against the base URL once. */
  private readonly urls = new Map<
    string,
    { readonly href: string; readonly pathname: string }
  >();

  constructor(private readonly options: K3CloudClientOptions) {
    this.io = kingdeeTransport(options);
    this.lcid = options.lcid ?? 2052;
    this.session = new SharedCredential((signal) => this.doLogin(signal));
  }

  /** Number of successful logins so far (session renewals show up here). */
  loginCount(): number {
    return this.logins;
  }

  maxRowsPerRequest(operation: string): number {
    return operation.toLowerCase() === 'batchsave' ? 1000 : 1;
  }

  /** Logs in now (no-op in signed-header mode). Throws a classified `auth` error on refusal. */
  async login(signal?: AbortSignal): Promise<void> {
    if (this.options.auth.mode === 'signed-headers') return;
    await this.session.get(signal);
  }

  async write(request: WriteRequest): Promise<RowOutcome[]> {
    const { rows } = request;
    const batch = request.operation.toLowerCase() === 'batchsave';
    const keys = k3FormKeys(request.formId);
    const models = rows.map((r) => ({
      ...r.document,
      [keys.numberField]: r.billNo,
    }));
    const data = { ...request.options, Model: batch ? models : models[0] };
    let status: K3ResponseStatus;
    try {
      const answer = await this.call(
        batch ? 'BatchSave' : 'Save',
        { formid: request.formId, data },
        k3OperationAnswerSchema,
        request.signal,
      );
      status = answer.Result.ResponseStatus;
    } catch (err) {
      const error = toPipelineError(err);
      return rows.map(() => ({ kind: 'failed', error }));
    }
    return mapRows(
      status,
      rows.map((r) => r.billNo),
      request.options,
      request.formId,
    );
  }

  findBills(
    formId: string,
    billNos: readonly string[],
    signal?: AbortSignal,
  ): Promise<Map<string, BillRef>> {
    return this.lookUpByNumber(
      formId,
      billNos,
      LOOKUP_CHUNK,
      (chunk) => ({
        billNos: chunk,
        fields: [],
        limit: chunk.length * 10,
        read: (rows, found) => {
          for (const row of rows) {
            const ref = billRef(row);
            if (ref) found.set(ref.number, ref);
          }
        },
      }),
      signal,
    );
  }

  /** Save with the bill's primary key updates it (refused by K3Cloud once submitted or audited). */
  asUpdate(formId: string, id: string, row: WriteRow): WriteRow {
    const { pkField } = k3FormKeys(formId);
    const numeric = Number(id);
    return {
      billNo: row.billNo,
      document: {
        ...row.document,
        [pkField]: Number.isSafeInteger(numeric) ? numeric : id,
      },
    };
  }

  /**
   * Updates an audited or unaudited bill with Save + FID (IsDeleteEntry: entry rows not sent are deleted). Reads
   * FDocumentStatus first: A/D (created, re-audit pending) are saved over; C (audited) is refused unless
   * `unaudit`, then UnAudit → Save → Submit → Audit; B (submitted, in approval) is refused. A bill in D was
   * un-audited (by us or an operator): with `unaudit` it is submitted and audited again after the save.
   */
  async updateBill(request: UpdateRequest): Promise<UpdateOutcome> {
    const { formId, id, signal } = request;
    const keys = k3FormKeys(formId);
    const numeric = Number(id);
    const idValue = Number.isSafeInteger(numeric) ? String(numeric) : id;
    try {
      const rows = await this.queryBills(
        formId,
        [keys.pkField, 'FDocumentStatus'],
        `${keys.pkField} = ${Number.isSafeInteger(numeric) ? numeric : sqlString(id)}`,
        10,
        signal,
      );
      if (rows.length === 0)
        throw kingdeeError(
          'validation',
          `k3cloud ${formId}: bill ${request.row.billNo} (FID ${id}) no longer exists`,
        );
      const state = String(rows[0]?.[1] ?? '');
      if (state === 'B')
        return {
          kind: 'refused',
          reason: `bill ${request.row.billNo} (FID ${id}) is submitted and in approval (FDocumentStatus B)`,
        };
      if (state === 'C' && !request.unaudit)
        return {
          kind: 'refused',
          reason: `bill ${request.row.billNo} (FID ${id}) is audited (FDocumentStatus C) and the plan does not permit target.unauditToUpdate`,
        };
      const data = { Ids: idValue };
      if (state === 'C') await this.operation('UnAudit', formId, data, signal);
      const autoAudit = request.options['IsAutoSubmitAndAudit'] === true;
      const [saved] = await this.write({
        formId,
        operation: 'Save',
        options: { ...request.options, IsDeleteEntry: true },
        rows: [this.asUpdate(formId, id, request.row)],
        ...(signal ? { signal } : {}),
      });
      if (!saved || saved.kind !== 'written') return saved as UpdateOutcome;
      if ((state === 'C' || state === 'D') && request.unaudit && !autoAudit) {
        await this.operation('Submit', formId, data, signal);
        await this.operation('Audit', formId, data, signal);
      }
      return saved;
    } catch (err) {
      return { kind: 'failed', error: toPipelineError(err) };
    }
  }

  /** Submit / Audit / UnAudit of one bill by id; throws the classified error of a refusal. */
  private async operation(
    service: 'Submit' | 'Audit' | 'UnAudit',
    formId: string,
    data: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<void> {
    const answer = await this.call(
      service,
      { formid: formId, data },
      k3OperationAnswerSchema,
      signal,
    );
    const status = answer.Result.ResponseStatus;
    if (status.IsSuccess === false) throw statusError(status, service);
  }

  /**
   * Finds the bills of `rows` by number and compares each with its row:
   * the date, every header base-data reference (customer, org, stock…), and
   * the entry rows (their references, count and quantity sums). A value
   * Kingdee holds empty is not compared (an unresolved reference is stored
   * empty). Several bills under one number: the one that matches wins.
   */
  matchBills(
    formId: string,
    rows: readonly WriteRow[],
    signal?: AbortSignal,
  ): Promise<Map<string, BillMatch>> {
    const keys = k3FormKeys(formId);
    return this.lookUpByNumber(
      formId,
      rows,
      MATCH_CHUNK,
      (chunk) => {
        const probe = probeFields(chunk, keys);
        return {
          billNos: chunk.map((r) => r.billNo),
          fields: [...probe.header, ...probe.entry],
          limit: 10_000,
          read: (answer, result) =>
            matchChunk(chunk, answer, probe, keys, result),
        };
      },
      signal,
    );
  }

  /** Looks `items` up by bill number, `size` a call: `query` says what each call asks and how its rows are read. */
  private async lookUpByNumber<T, V>(
    formId: string,
    items: readonly T[],
    size: number,
    query: (chunk: readonly T[]) => NumberQuery<V>,
    signal?: AbortSignal,
  ): Promise<Map<string, V>> {
    const found = new Map<string, V>();
    for (let i = 0; i < items.length; i += size) {
      const q = query(items.slice(i, i + size));
      const rows = await this.queryByNumber(
        formId,
        q.billNos,
        q.fields,
        q.limit,
        signal,
      );
      q.read(rows, found);
    }
    return found;
  }

  /** ExecuteBillQuery of `formId`'s bills matching `filter`: at most `limit` rows, as arrays in `fieldKeys` order. */
  private queryBills(
    formId: string,
    fieldKeys: readonly string[],
    filter: string,
    limit: number,
    signal?: AbortSignal,
  ): Promise<unknown[][]> {
    return this.executeBillQuery(
      {
        FormId: formId,
        FieldKeys: fieldKeys.join(','),
        FilterString: filter,
        TopRowCount: 0,
        Limit: limit,
      },
      signal,
    );
  }

  /** ExecuteBillQuery of `formId`'s bills numbered `billNos`: rows of id, number and `fields`, at most `limit`. */
  private queryByNumber(
    formId: string,
    billNos: readonly string[],
    fields: readonly string[],
    limit: number,
    signal?: AbortSignal,
  ): Promise<unknown[][]> {
    const { pkField, numberField } = k3FormKeys(formId);
    return this.queryBills(
      formId,
      [pkField, numberField, ...fields],
      `${numberField} IN (${billNos.map(sqlString).join(',')})`,
      limit,
      signal,
    );
  }

  /** ExecuteBillQuery: rows as arrays in FieldKeys order. */
  async executeBillQuery(
    data: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<unknown[][]> {
    const rows = await this.call(
      'ExecuteBillQuery',
      { data },
      k3QueryAnswerSchema,
      signal,
    );
    const first = rows[0]?.[0];
    const failure = k3QueryFailureSchema.safeParse(first);
    if (
      failure.success &&
      failure.data.Result.ResponseStatus.IsSuccess === false
    ) {
      throw statusError(failure.data.Result.ResponseStatus, 'ExecuteBillQuery');
    }
    return rows;
  }

  /**
   * One service call. A `MsgCode 1` answer (session lost) triggers one
   * re-login and one resend; the write is safe to resend because the server
   * refused it before doing anything.
   */
  private async call<S extends z.ZodType>(
    service: string,
    body: unknown,
    schema: S,
    signal?: AbortSignal,
  ): Promise<z.output<S>> {
    const path = `${DYN}.${service}.common.kdsvc`;
    if (this.options.auth.mode !== 'signed-headers')
      return withCredential(
        this.session,
        `k3cloud ${service}`,
        (session) => this.send(path, service, body, schema, session, signal),
        signal,
      );
    try {
      return await this.send(
        path,
        service,
        body,
        schema,
        this.session.peek(),
        signal,
      );
    } catch (err) {
      if (!(err instanceof CredentialRefused)) throw err;
      throw kingdeeError(
        'auth',
        `k3cloud ${service}: ${err.message} (signed-header credentials refused)`,
      );
    }
  }

  private send<S extends z.ZodType>(
    path: string,
    service: string,
    body: unknown,
    schema: S,
    session: Session | undefined,
    signal?: AbortSignal,
  ): Promise<z.output<S>> {
    return observeRequest(
      this.options.hooks,
      service,
      this.io.now,
      async () => {
        const res = await this.post(path, body, session, signal);
        this.keepSignedSession(res);
        const value = parseKingdeeJson(res, schema, `k3cloud ${service}`);
        const lost = sessionLostMessage(value);
        if (lost !== undefined) throw new CredentialRefused(lost);
        return value;
      },
    );
  }

  private post(
    path: string,
    body: unknown,
    session: Session | undefined,
    signal?: AbortSignal,
  ): Promise<KingdeeHttpResponse> {
    let url = this.urls.get(path);
    if (!url) {
      const { href, pathname } = new URL(
        path,
        ensureSlash(this.options.baseUrl),
      );
      url = { href, pathname };
      this.urls.set(path, url);
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'accept-charset': 'utf-8',
      'user-agent': USER_AGENT,
      ...(session
        ? { 'kdservice-sessionid': session.id, cookie: session.cookies }
        : {}),
      ...(this.options.auth.mode === 'signed-headers'
        ? this.signedHeaders(url.pathname)
        : {}),
    };
    return this.io.send('k3cloud', {
      url: url.href,
      method: 'POST',
      headers,
      json: body,
      signal,
    });
  }

  /** SDK "第三方系统登录授权" headers (reference §1.5). */
  private signedHeaders(pathname: string): Record<string, string> {
    const auth = this.options.auth;
    if (auth.mode !== 'signed-headers') return {};
    const timestamp = String(Math.floor(this.io.now() / 1000));
    const appData = k3AppDataPlain(
      this.options.acctId,
      this.options.userName,
      this.lcid,
      this.options.orgNum ?? '0',
    );
    return {
      'X-Api-ClientID': auth.appId.split('_')[0] ?? '',
      'X-Api-Auth-Version': '2.0',
      'x-api-timestamp': timestamp,
      'x-api-nonce': timestamp,
      'x-api-signheaders': 'x-api-timestamp,x-api-nonce',
      'X-Api-Signature': k3ApiSignature(
        k3GatewaySecret(auth.appId),
        pathname,
        timestamp,
        timestamp,
      ),
      'X-Kd-Appkey': auth.appId,
      'X-Kd-Appdata': Buffer.from(appData, 'utf8').toString('base64'),
      'X-Kd-Signature': k3KdSignature(auth.appId, auth.appSecret, appData),
    };
  }

  /** Signed mode: reuse the server session the gateway hands out (fewer server contexts). */
  private keepSignedSession(res: KingdeeHttpResponse): void {
    if (this.options.auth.mode !== 'signed-headers') return;
    const session = sessionFromCookies(res.setCookies);
    if (session) this.session.set(session);
  }

  /** One login (the shared session obtains it: one at a time, concurrent calls wait for it). */
  private async doLogin(signal?: AbortSignal): Promise<Session> {
    const { acctId, userName } = this.options;
    const auth = this.options.auth;
    // What each login service sends between the user and the language.
    let service: string;
    let credentials: Record<string, unknown>;
    switch (auth.mode) {
      case 'password':
        service = 'ValidateUser';
        credentials = { password: auth.password };
        break;
      case 'app-secret':
        service = 'LoginByAppSecret';
        credentials = { appId: auth.appId, appSecret: auth.appSecret };
        break;
      case 'sign': {
        const timestamp = String(Math.floor(this.io.now() / 1000));
        const sign = k3LoginSign(
          {
            acctId,
            userName,
            appId: auth.appId,
            appSecret: auth.appSecret,
            timestamp,
          },
          auth.algorithm ?? 'sha256',
        );
        service = 'LoginBySign';
        credentials = { appId: auth.appId, timestamp, sign };
        break;
      }
      case 'signed-headers':
        throw new Error('signed-header mode has no login');
    }
    const body = {
      acctID: acctId,
      username: userName,
      ...credentials,
      lcid: this.lcid,
    };
    return observeRequest(
      this.options.hooks,
      service,
      this.io.now,
      async () => {
        const res = await this.post(
          `${AUTH}.${service}.common.kdsvc`,
          body,
          undefined,
          signal,
        );
        const answer = parseKingdeeJson(
          res,
          k3LoginAnswerSchema,
          `k3cloud ${service}`,
        );
        // -5 DealWithForm is a successful login that wants a form shown (admin users).
        if (answer.LoginResultType !== 1 && answer.LoginResultType !== -5) {
          throw kingdeeError(
            'auth',
            `k3cloud ${service} refused (LoginResultType ${answer.LoginResultType}): ${answer.Message ?? ''}`,
          );
        }
        const id =
          answer.KDSVCSessionId ??
          answer.Context?.SessionId ??
          sessionFromCookies(res.setCookies)?.id;
        if (!id)
          throw kingdeeError(
            'bad_response',
            `k3cloud ${service}: login answer without a session id`,
          );
        const fromCookies = sessionFromCookies(res.setCookies);
        const session: Session = {
          id,
          cookies: fromCookies?.cookies ?? `kdservice-sessionid=${id}`,
        };
        this.logins += 1;
        return session;
      },
    );
  }
}

/** Maps a (Batch)Save ResponseStatus to one outcome per row (reference §1.8, DIndex). */
export function mapRows(
  status: K3ResponseStatus,
  billNos: readonly string[],
  options: Readonly<Record<string, unknown>>,
  formId: string,
): RowOutcome[] {
  const n = billNos.length;
  const outcomes: Array<RowOutcome | undefined> = new Array(n).fill(undefined);
  const msgCode = status.MsgCode ?? 0;
  const batchCount = Math.trunc(Number(options['BatchCount'] ?? 0)) || 0;
  // With BatchCount the server splits the models into slices and DIndex restarts in each.
  const sliceSize =
    batchCount > 0 && n > batchCount ? Math.ceil(n / batchCount) : n;
  // By number only where the number is unique in the request (two documents may share one).
  const counts = new Map<string, number>();
  for (const b of billNos) counts.set(b, (counts.get(b) ?? 0) + 1);
  const indexOfNumber = new Map(
    billNos.flatMap((b, i): Array<[string, number]> =>
      counts.get(b) === 1 ? [[b, i]] : [],
    ),
  );

  // A failure of the request itself (session, limit, deadlock, unknown form…) comes back as one
  // error at DIndex 0: it concerns every row, not row 0.
  const requestError = requestLevelError(status, n, formId);
  if (requestError) return billNos.map(() => requestError);

  for (const s of status.SuccessEntitys ?? []) {
    const byNumber = s.Number ? indexOfNumber.get(s.Number) : undefined;
    const index = byNumber ?? (sliceSize === n ? (s.DIndex ?? 0) : undefined);
    if (index === undefined || index >= n) continue;
    outcomes[index] = {
      kind: 'written',
      id: String(s.Id),
      number: s.Number ?? billNos[index] ?? '',
    };
  }

  const errorsByRow = new Map<
    number,
    Array<{ field: string; message: string }>
  >();
  const unplaced: string[] = [];
  for (const e of status.Errors ?? []) {
    const message = e.Message ?? '';
    const dIndex = e.DIndex ?? 0;
    const candidates: number[] = [];
    for (let i = dIndex; i < n; i += sliceSize)
      if (outcomes[i] === undefined) candidates.push(i);
    if (candidates.length === 1 && candidates[0] !== undefined) {
      const list = errorsByRow.get(candidates[0]) ?? [];
      list.push({ field: e.FieldName ?? '', message });
      errorsByRow.set(candidates[0], list);
    } else {
      unplaced.push(message);
    }
  }
  for (const [index, errors] of errorsByRow) {
    const classes = errors.map((e) => classifyK3RowError(msgCode, e.message));
    // The most telling class wins: a duplicate number means "maybe written" and must be verified.
    const errorClass = pickClass(classes);
    const message = `k3cloud ${formId}: ${errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ')}`;
    outcomes[index] = {
      kind: 'failed',
      error: kingdeeError(errorClass, message, {
        fieldPath: errors[0]?.field ?? '',
      }),
    };
  }
  return outcomes.map((o, i): RowOutcome => {
    if (o) return o;
    if (
      status.IsSuccess &&
      (status.Errors ?? []).length === 0 &&
      n === 1 &&
      (status.SuccessEntitys ?? []).length === 0
    ) {
      return {
        kind: 'failed',
        error: kingdeeError(
          'bad_response',
          `k3cloud ${formId}: success without SuccessEntitys for ${billNos[i]}`,
        ),
      };
    }
    const why =
      unplaced.length > 0 ? unplaced.join('; ') : 'row missing from the answer';
    // Not placeable on a row: the outcome is unknown, so it is verified before any resend.
    const errorClass =
      unplaced.length > 0
        ? pickClass(unplaced.map((m) => classifyK3RowError(msgCode, m)))
        : 'bad_response';
    return {
      kind: 'failed',
      error: kingdeeError(
        errorClass === 'validation' ? 'unknown' : errorClass,
        `k3cloud ${formId}: ${why}`,
      ),
    };
  });
}

/** MsgCodes a single model's validation gives (field, data, validation, state); every other code is the request's. */
const ROW_MSG_CODES: ReadonlySet<number> = new Set([0, 9, 10, 11, 12]);

function requestLevelError(
  status: K3ResponseStatus,
  n: number,
  formId: string,
): RowOutcome | undefined {
  const errors = status.Errors ?? [];
  const msgCode = status.MsgCode ?? 0;
  if (
    n < 2 ||
    status.IsSuccess ||
    (status.SuccessEntitys ?? []).length > 0 ||
    errors.length === 0 ||
    ROW_MSG_CODES.has(msgCode) ||
    errors.some((e) => (e.DIndex ?? 0) !== 0)
  )
    return undefined;
  const message = errors
    .map((e) => e.Message ?? '')
    .filter(Boolean)
    .join('; ');
  // The request's MsgCode decides (its text may read "retry later" for a limit).
  const byCode = classifyK3MsgCode(msgCode, message);
  return {
    kind: 'failed',
    error: kingdeeError(
      byCode === 'unknown' ? classifyK3RowError(msgCode, message) : byCode,
      `k3cloud ${formId}: the request of ${n} rows failed (MsgCode ${msgCode}): ${message}`,
    ),
  };
}

const CLASS_PRIORITY: readonly ErrorClass[] = [
  'duplicate_number',
  'session_lost',
  'concurrency_limit',
  'server_error',
  'missing_base_data',
  'validation',
  'auth',
];

function pickClass(classes: readonly ErrorClass[]): ErrorClass {
  for (const c of CLASS_PRIORITY) if (classes.includes(c)) return c;
  return classes[0] ?? 'unknown';
}

function statusError(status: K3ResponseStatus, what: string): PipelineError {
  const message =
    (status.Errors ?? [])
      .map((e) => e.Message ?? '')
      .filter(Boolean)
      .join('; ') || `IsSuccess false (MsgCode ${status.MsgCode ?? 0})`;
  return kingdeeError(
    classifyK3MsgCode(status.MsgCode ?? 0, message),
    `k3cloud ${what}: ${message}`,
  );
}

/**
 * `MsgCode 1` anywhere an answer can carry it (operation envelope or query failure). `value` passed its
 * call's schema already: an envelope's status is read as it is, not parsed a second time.
 */
function sessionLostMessage(value: unknown): string | undefined {
  const status: unknown = isRecord(value)
    ? isRecord(value['Result'])
      ? value['Result']['ResponseStatus']
      : undefined
    : Array.isArray(value) && Array.isArray(value[0]) && isRecord(value[0][0])
      ? k3QueryFailureSchema.safeParse(value[0][0]).data?.Result.ResponseStatus
      : undefined;
  if (
    !isRecord(status) ||
    status['IsSuccess'] !== false ||
    status['MsgCode'] !== K3_MSG.sessionLost
  )
    return undefined;
  const errors = status['Errors'];
  const message =
    Array.isArray(errors) && isRecord(errors[0])
      ? errors[0]['Message']
      : undefined;
  return typeof message === 'string' ? message : K3_SESSION_LOST_MESSAGE;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sessionFromCookies(
  setCookies: readonly string[],
): Session | undefined {
  const pairs = setCookies
    .map((c) => c.split(';')[0]?.trim() ?? '')
    .filter((p) => p.includes('='));
  const sid = pairs.find((p) =>
    p.toLowerCase().startsWith('kdservice-sessionid='),
  );
  if (!sid) return undefined;
  return {
    id: sid.slice(sid.indexOf('=') + 1),
    cookies: ['Theme=standard', ...pairs].join('; '),
  };
}

/** One call of a lookup by bill number: the numbers, the fields asked besides id and number, the row limit. */
interface NumberQuery<V> {
  readonly billNos: readonly string[];
  readonly fields: readonly string[];
  readonly limit: number;
  /** Reads the call's rows (id, number, then `fields`) into the lookup's result. */
  read(rows: readonly unknown[][], into: Map<string, V>): void;
}

/** The bill of an answer row that starts with id and number; undefined without a number. */
function billRef(row: readonly unknown[]): BillRef | undefined {
  const [id, number] = row;
  if (number === null || number === undefined) return undefined;
  return {
    id: id === null || id === undefined ? '' : String(id),
    number: String(number),
  };
}

/** What matchBills reads back: the date, header references, entry references and numbers. */
interface Probe {
  readonly header: string[];
  readonly entry: string[];
}

const DATE_FIELD = 'FDate';

function refNumber(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return undefined;
  const n = (value as Record<string, unknown>)['FNumber'];
  return typeof n === 'string' && n !== '' ? n : undefined;
}

function entryRows(
  document: Readonly<Record<string, unknown>>,
  keys: K3FormKeys,
): Array<Record<string, unknown>> {
  const rows = keys.entryKey ? document[keys.entryKey] : undefined;
  return Array.isArray(rows)
    ? rows.filter(
        (r): r is Record<string, unknown> =>
          typeof r === 'object' && r !== null && !Array.isArray(r),
      )
    : [];
}

function probeFields(rows: readonly WriteRow[], keys: K3FormKeys): Probe {
  const header = new Set<string>();
  const entry = new Set<string>();
  for (const r of rows) {
    for (const [field, value] of Object.entries(r.document)) {
      if (field === DATE_FIELD && typeof value === 'string') header.add(field);
      else if (refNumber(value) !== undefined) header.add(`${field}.FNumber`);
    }
    for (const line of entryRows(r.document, keys)) {
      for (const [field, value] of Object.entries(line)) {
        if (refNumber(value) !== undefined) entry.add(`${field}.FNumber`);
        // Quantities only: amounts may be recomputed (and rounded) by Kingdee.
        else if (typeof value === 'number' && /qty$/i.test(field))
          entry.add(field);
      }
    }
  }
  if (keys.entryKey && entry.size > 0) entry.add(`${keys.entryKey}_FEntryId`);
  return { header: [...header], entry: [...entry] };
}

const empty = (v: unknown): boolean =>
  v === null || v === undefined || v === '' || v === 0;

/** Why the bill Kingdee holds (`billRows`, FieldKeys order) is not `document`; undefined when it is. */
function compareBill(
  document: Readonly<Record<string, unknown>>,
  billRows: readonly unknown[][],
  probe: Probe,
  keys: K3FormKeys,
): string | undefined {
  const first = billRows[0] ?? [];
  const differences: string[] = [];
  probe.header.forEach((field, k) => {
    const held = first[2 + k];
    const base = field.endsWith('.FNumber') ? field.slice(0, -8) : field;
    const ours =
      field === DATE_FIELD ? document[DATE_FIELD] : refNumber(document[base]);
    if (ours === undefined || empty(held)) return;
    const norm = (v: unknown): string =>
      field === DATE_FIELD
        ? String(v).replace('T', ' ').slice(0, 10)
        : String(v).trim().toUpperCase();
    if (norm(ours) !== norm(held))
      differences.push(`${field} ${String(held)} (ours ${String(ours)})`);
  });
  const lines = entryRows(document, keys);
  if (probe.entry.length > 0) {
    const offset = 2 + probe.header.length;
    const idColumn = offset + probe.entry.length - 1;
    const held = billRows.filter((row) => !empty(row[idColumn]));
    if (lines.length > 0 && held.length !== lines.length)
      differences.push(`${held.length} entry rows (ours ${lines.length})`);
    probe.entry.slice(0, -1).forEach((field, k) => {
      const column = offset + k;
      if (field.endsWith('.FNumber')) {
        const base = field.slice(0, -8);
        const ours = lines
          .map((l) => refNumber(l[base]))
          .filter((v): v is string => v !== undefined)
          .map((v) => v.toUpperCase())
          .sort();
        const theirs = held
          .map((row) => row[column])
          .filter((v) => !empty(v))
          .map((v) => String(v).toUpperCase())
          .sort();
        if (theirs.length > 0 && ours.join('|') !== theirs.join('|'))
          differences.push(
            `${field} ${theirs.join(',')} (ours ${ours.join(',')})`,
          );
      } else {
        const ours = lines.reduce(
          (sum, l) => sum + (typeof l[field] === 'number' ? l[field] : 0),
          0,
        );
        const theirs = held.reduce(
          (sum, row) => sum + Number(row[column] ?? 0),
          0,
        );
        if (Number.isFinite(theirs) && Math.abs(ours - theirs) > 1e-6)
          differences.push(`sum of ${field} ${theirs} (ours ${ours})`);
      }
    });
  }
  return differences.length > 0 ? differences.join('; ') : undefined;
}

/** One matchBills call read: the answer grouped into bills by number and id, each row matched under its number. */
function matchChunk(
  chunk: readonly WriteRow[],
  answer: readonly unknown[][],
  probe: Probe,
  keys: K3FormKeys,
  result: Map<string, BillMatch>,
): void {
  // Bills by number, then by id (one answer row per entry row when entry fields are asked).
  const bills = new Map<string, Map<string, unknown[][]>>();
  for (const row of answer) {
    const bill = billRef(row);
    if (!bill) continue;
    const number = bill.number.toUpperCase();
    const byId = bills.get(number) ?? bills.set(number, new Map()).get(number);
    (byId?.get(bill.id) ?? byId?.set(bill.id, []).get(bill.id))?.push(row);
  }
  for (const r of chunk) {
    const candidates = bills.get(r.billNo.toUpperCase());
    if (!candidates) continue;
    let first: BillMatch | undefined;
    for (const [id, billRows] of candidates) {
      const ref = { id, number: String(billRows[0]?.[1] ?? r.billNo) };
      const reason = compareBill(r.document, billRows, probe, keys);
      const match: BillMatch =
        reason === undefined
          ? { kind: 'same', ...ref }
          : { kind: 'different', reason, ...ref };
      if (match.kind === 'same') {
        first = match;
        break;
      }
      first ??= match;
    }
    if (first) result.set(r.billNo, first);
  }
}

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function ensureSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
