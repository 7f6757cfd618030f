import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DocumentStore } from '../shared/document-store';
import {
  jsonResponse,
  parseJsonOrUndefined,
  simServerOptionsShape,
  startSimServer,
  type AdminRoute,
  type PlatformBehaviour,
  type SimRequest,
  type PlatformResponse,
  type SimServerHandle,
  type SimulatorDeps,
  uniqueBillNoShape,
} from '../shared/kingdee-server';
import { kingdeeAdminRoutes } from '../shared/kingdee-admin';
import {
  K3SessionManager,
  sessionCookies,
  sessionIdOf,
  type K3Session,
} from './k3cloud-auth';
import {
  findK3Form,
  K3_DEFAULT_MASTER_DATA,
  type K3FormDef,
  type K3MasterSeedRecord,
} from './k3cloud-forms';
import { K3MasterDataStore } from './k3cloud-master-data.store';
import { executeBillQuery } from './k3cloud-query.handler';
import {
  K3_MSG,
  K3_SESSION_LOST_MESSAGE,
  k3Failure,
  k3Status,
  type K3Error,
  type K3SuccessEntity,
} from './k3cloud-response.util';
import {
  getCI,
  isRecord,
  saveModel,
  type K3StoredBill,
} from './k3cloud-save.handler';

const masterSeedSchema = z.object({
  number: z.string().min(1),
  name: z.string(),
  attrs: z.record(z.string(), z.unknown()).optional(),
});

export const k3CloudSimulatorOptionsSchema = z.object({
  ...simServerOptionsShape,
  acctId: z
    .string()
    .default('66b1f0c2a8e4d1')
    .describe('Data-centre (账套) id accepted by login and X-Kd-Appdata'),
  users: z
    .array(z.object({ userName: z.string(), password: z.string() }))
    .default([{ userName: 'kingbridge', password: 'Kb@2026!' }])
    .describe(
      'Users for ValidateUser (and the user names allowed in the app-secret modes)',
    ),
  apps: z
    .array(z.object({ appId: z.string(), appSecret: z.string() }))
    .default([
      {
        appId: '235326_w53uTUC1ZtWy5aRt2pMQRvQ7m6CXnLkB',
        appSecret: 'c1e8b3e09a5d4b2f8e6f7a9d0c3b2a14',
      },
    ])
    .describe(
      'Third-party app authorisations (AppID {clientId}_{encodedSecret} + AppSecret)',
    ),
  sessionTtlMs: z
    .number()
    .int()
    .min(1)
    .default(20 * 60 * 1000)
    .describe('Sliding session lifetime'),
  loginSignAlgorithm: z
    .enum(['sha256', 'sha1'])
    .default('sha256')
    .describe('LoginBySign hash (sha1 = before PT-146911)'),
  loginSignMaxSkewMs: z
    .number()
    .int()
    .min(0)
    .default(15 * 60 * 1000)
    .describe('LoginBySign timestamp window (unconfirmed)'),
  verifyGatewaySignature: z
    .boolean()
    .default(true)
    .describe('Also check X-Api-Signature in signed-header mode'),
  ...uniqueBillNoShape,
  masterData: z
    .record(z.string(), z.array(masterSeedSchema))
    .optional()
    .describe(
      'Master data by form id; a form listed here replaces that form in the default seed',
    ),
});
export type K3CloudSimulatorOptions = z.input<
  typeof k3CloudSimulatorOptionsSchema
>;

export interface K3CloudSimulator extends SimServerHandle {
  readonly baseUrl: string;
  readonly acctId: string;
  readonly documents: DocumentStore<K3StoredBill>;
  readonly masterData: K3MasterDataStore;
  readonly sessions: K3SessionManager;
  readonly options: z.infer<typeof k3CloudSimulatorOptionsSchema>;
}

const SERVICE_PATH = /^\/(k3cloud|galaxyapi)\/(.+)\.common\.kdsvc$/i;
const AUTH = 'kingdee.bos.webapi.servicesstub.authservice.';
const DYN = 'kingdee.bos.webapi.servicesstub.dynamicformservice.';

const masterUpsertSchema = z.object({
  formId: z.string().min(1),
  records: z
    .array(
      z.object({
        number: z.string().min(1),
        name: z.string(),
        attrs: z.record(z.string(), z.unknown()).optional(),
        status: z.enum(['A', 'B', 'C']).optional(),
        forbidden: z.boolean().optional(),
      }),
    )
    .default([]),
  remove: z.array(z.string()).default([]),
});

/** Starts the 金蝶云星空 WebAPI simulator (base URL `${url}/k3cloud/`). */
export async function startK3CloudSimulator(
  input: K3CloudSimulatorOptions = {},
  deps: SimulatorDeps = {},
): Promise<K3CloudSimulator> {
  const options = k3CloudSimulatorOptionsSchema.parse(input);
  const seed: Record<string, readonly K3MasterSeedRecord[]> = {
    ...K3_DEFAULT_MASTER_DATA,
    ...options.masterData,
  };
  const documents = new DocumentStore<K3StoredBill>();
  const masterData = new K3MasterDataStore(seed);
  const now = deps.now ?? (() => Date.now());
  const sessions = new K3SessionManager(options, now);
  const repeatPackages = new Set<string>();
  let entryId = 200001;

  const behaviour: PlatformBehaviour = {
    name: 'k3cloud',
    handle: async (req) => handle(req),
    overLimit: (req) =>
      errorFor(
        req,
        K3_MSG.callLimited,
        '调用限制：当前并发请求数已超过服务器允许的上限，请稍后重试',
      ),
    injectedError: (req) =>
      errorFor(
        req,
        6,
        '事务(进程 ID 63)与另一个进程被死锁在 锁 资源上，并且已被选作死锁牺牲品。请重新运行该事务。',
      ),
    adminRoutes: adminRoutes(),
    reset: () => {
      documents.clear();
      masterData.reset();
      sessions.expireAll();
      repeatPackages.clear();
      entryId = 200001;
    },
    extraStats: () => ({
      documents: documents.list().length,
      writes: documents.list().reduce((n, d) => n + d.writeCount, 0),
      sessions: sessions.count(),
    }),
  };

  function serviceOf(req: SimRequest): string | undefined {
    const match = SERVICE_PATH.exec(req.path);
    return match?.[2]?.toLowerCase();
  }

  function isQuery(service: string | undefined): boolean {
    return (
      service === `${DYN}executebillquery` || service === `${DYN}billquery`
    );
  }

  function isLogin(service: string | undefined): boolean {
    return (
      service !== undefined &&
      service.startsWith(AUTH) &&
      service !== `${AUTH}logout`
    );
  }

  /** The same failure in the shape the caller's service uses. */
  function errorFor(
    req: SimRequest,
    msgCode: number,
    message: string,
  ): PlatformResponse {
    const service = serviceOf(req);
    if (isLogin(service)) return jsonResponse(200, loginFailure(-1, message));
    if (isQuery(service))
      return jsonResponse(200, [[k3Failure(msgCode, message)]]);
    return jsonResponse(200, k3Failure(msgCode, message));
  }

  async function handle(req: SimRequest): Promise<PlatformResponse> {
    const service = serviceOf(req);
    if (!service) {
      return {
        status: 404,
        headers: { 'content-type': 'text/html' },
        body: '<html><body><h2>404 - 找不到文件或目录。</h2></body></html>',
      };
    }
    if (req.method !== 'POST') {
      return {
        status: 405,
        headers: { 'content-type': 'text/html' },
        body: '<html><body><h2>405 - 不允许使用用于访问此页的 HTTP 谓词。</h2></body></html>',
      };
    }
    const body = parseJsonOrUndefined(req.body);
    if (service.startsWith(AUTH)) return handleAuth(req, service, body);

    const auth = sessions.authenticate(req);
    if (!auth.ok) {
      if (auth.kind === 'passport')
        return {
          status: 500,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          body: auth.text,
        };
      return errorFor(req, K3_MSG.sessionLost, K3_SESSION_LOST_MESSAGE);
    }
    const withCookies = (response: PlatformResponse): PlatformResponse =>
      auth.setCookies.length === 0
        ? response
        : {
            ...response,
            headers: { ...response.headers, 'set-cookie': auth.setCookies },
          };
    if (!isRecord(body))
      return withCookies(
        errorFor(
          req,
          K3_MSG.parameterError,
          '请求参数格式错误：无法解析为 JSON 对象',
        ),
      );

    const op = service.startsWith(DYN) ? service.slice(DYN.length) : '';
    switch (op) {
      case 'save':
      case 'draft':
        return withCookies(handleSave(body, false));
      case 'batchsave':
        return withCookies(handleSave(body, true));
      case 'executebillquery':
      case 'billquery':
        return withCookies(handleQuery(body, op === 'billquery'));
      case 'view':
        return withCookies(handleView(body));
      case 'submit':
      case 'audit':
      case 'unaudit':
      case 'delete':
        return withCookies(handleStateChange(body, op));
      default:
        return withCookies(
          jsonResponse(
            200,
            k3Failure(K3_MSG.exception, `服务“${service}”不存在或未实现`),
          ),
        );
    }
  }

  function handleAuth(
    req: SimRequest,
    service: string,
    body: unknown,
  ): PlatformResponse {
    const op = service.slice(AUTH.length);
    if (op === 'logout') {
      return jsonResponse(200, sessions.logout(sessionIdOf(req)));
    }
    const names: Record<string, string[]> = {
      validateuser: ['acctID', 'username', 'password', 'lcid'],
      validateuser2: ['acctID', 'username', 'password', 'isKickOff', 'lcid'],
      loginbyappsecret: ['acctID', 'username', 'appId', 'appSecret', 'lcid'],
      loginbysign: ['acctID', 'username', 'appId', 'timestamp', 'sign', 'lcid'],
    };
    const argNames = names[op];
    if (!argNames)
      return jsonResponse(
        200,
        loginFailure(-1, `服务“${service}”不存在或未实现`),
      );
    const args = extractArgs(body, argNames);
    if (!args) return jsonResponse(200, loginFailure(-1, '请求参数格式错误'));
    const s = (name: string): string => {
      const v = args[name.toLowerCase()];
      return v === undefined || v === null ? '' : String(v);
    };
    const lcid = Number(s('lcid')) || 2052;
    const outcome =
      op === 'loginbyappsecret'
        ? sessions.loginByAppSecret(
            s('acctID'),
            s('username'),
            s('appId'),
            s('appSecret'),
            lcid,
          )
        : op === 'loginbysign'
          ? sessions.loginBySign(
              s('acctID'),
              s('username'),
              s('appId'),
              s('timestamp'),
              s('sign'),
              lcid,
            )
          : sessions.validateUser(
              s('acctID'),
              s('username'),
              s('password'),
              lcid,
            );
    if (!outcome.ok)
      return jsonResponse(
        200,
        loginFailure(outcome.resultType, outcome.message),
      );
    return jsonResponse(200, loginSuccess(outcome.session), {
      'set-cookie': sessionCookies(outcome.session),
    });
  }

  function loginSuccess(session: K3Session): Record<string, unknown> {
    return {
      Message: null,
      MessageCode: 'CheckPasswordPolicy',
      LoginResultType: 1,
      Context: {
        UserLocale: 'zh-CN',
        LogLocale: 'zh-CN',
        DBid: options.acctId,
        DatabaseType: 3,
        SessionId: session.sid,
        UseLanguages: [
          { LocaleId: 2052, LocaleName: '中文(简体)', Alias: 'CN' },
        ],
        UserId: 100008,
        UserName: session.userName,
        CustomName: '金桥科技集团',
        DisplayVersion: '8.2.837.8',
        DataCenterName: '金桥科技正式账套',
        UserToken: randomUUID(),
        CurrentOrganizationInfo: {
          ID: 100001,
          AcctOrgType: '1',
          Name: '金桥科技集团',
          FunctionIds: [
            101, 102, 103, 104, 107, 108, 109, 110, 111, 112, 113, 114,
          ],
        },
        UTimeZone: {
          OffsetTicks: 288000000000,
          StandardName: '(UTC+08:00)北京，重庆，香港特别行政区，乌鲁木齐',
          Id: 37,
          Number: '1078_SYS',
          CanBeUsed: true,
        },
        STimeZone: {
          OffsetTicks: 288000000000,
          StandardName: '(UTC+08:00)北京，重庆，香港特别行政区，乌鲁木齐',
          Id: 37,
          Number: '1078_SYS',
          CanBeUsed: true,
        },
        Gsid: null,
        DataCenterNumber: 'KB01',
        TenantId: '',
        IsDeployAsPublicCloud: false,
      },
      KDSVCSessionId: session.sid,
      FormId: null,
      RedirectFormParam: null,
      FormInputObject: null,
      ErrorStackTrace: null,
      Lcid: session.lcid,
      AccessToken: null,
      CustomParam: {},
      KdAccessResult: null,
      IsSuccessByAPI: true,
    };
  }

  function handleSave(
    body: Record<string, unknown>,
    batch: boolean,
  ): PlatformResponse {
    const args = extractArgs(body, ['formid', 'data']);
    const formId = args ? String(args['formid'] ?? '') : '';
    if (formId === '')
      return jsonResponse(
        200,
        k3Failure(K3_MSG.emptyFormId, '表单Id(FormId)不能为空'),
      );
    const form = findK3Form(formId);
    if (!form)
      return jsonResponse(
        200,
        k3Failure(
          K3_MSG.exception,
          `标识为“${formId}”的业务对象不存在，或者被删除`,
        ),
      );
    const data = parseData(args?.['data']);
    if (!data)
      return jsonResponse(
        200,
        k3Failure(
          K3_MSG.parameterError,
          '参数data格式错误：无法解析为 JSON 对象',
        ),
      );
    const model = getCI(data, 'Model');
    if (
      batch ? !Array.isArray(model) || model.length === 0 : !isRecord(model)
    ) {
      return jsonResponse(
        200,
        k3Failure(
          K3_MSG.parameterError,
          batch
            ? '参数Model不能为空，应为对象数组'
            : '参数Model不能为空，应为对象',
        ),
      );
    }
    if (bool(getCI(data, 'ValidateRepeatJson'))) {
      const hash = createHash('sha256')
        .update(`${form.formId}\u0000${JSON.stringify(data)}`)
        .digest('hex');
      if (repeatPackages.has(hash)) {
        return jsonResponse(
          200,
          k3Failure(
            K3_MSG.validationFailed,
            '检测到重复提交的数据包，本次请求未执行（ValidateRepeatJson）',
          ),
        );
      }
      repeatPackages.add(hash);
    }
    const flags = {
      autoSubmitAndAudit: bool(getCI(data, 'IsAutoSubmitAndAudit')),
      verifyBaseData: bool(getCI(data, 'IsVerifyBaseDataField')),
      needReturnFields: stringList(getCI(data, 'NeedReturnFields')),
      needUpdateFields: stringList(getCI(data, 'NeedUpDateFields')),
      isDeleteEntry:
        getCI(data, 'IsDeleteEntry') === undefined ||
        bool(getCI(data, 'IsDeleteEntry')),
    };
    const ctx = {
      documents,
      master: masterData,
      now: () => new Date(now()),
      nextEntryId: () => entryId++,
      uniqueBillNo: options.uniqueBillNo,
    };
    const models: unknown[] = batch ? (model as unknown[]) : [model];
    const batchCount = batch
      ? Math.max(0, Math.trunc(Number(getCI(data, 'BatchCount') ?? 0)) || 0)
      : 0;
    // With BatchCount the server splits the models into BatchCount slices; DIndex restarts in each slice.
    const sliceSize =
      batchCount > 0 && models.length > batchCount
        ? Math.ceil(models.length / batchCount)
        : models.length;

    const errors: K3Error[] = [];
    const successes: K3SuccessEntity[] = [];
    const returnData: Record<string, unknown>[] = [];
    let msgCode: number = K3_MSG.default;
    models.forEach((m, index) => {
      const outcome = saveModel(ctx, form, m, index % sliceSize, flags);
      if (outcome.ok) {
        successes.push(outcome.success);
        returnData.push(outcome.returnData);
      } else {
        errors.push(...outcome.errors);
        if (msgCode === K3_MSG.default) msgCode = outcome.msgCode;
      }
    });
    const status = k3Status(errors, successes, msgCode);
    if (batch)
      return jsonResponse(200, {
        Result: { ResponseStatus: status, NeedReturnData: returnData },
      });
    const saved = successes[0];
    return jsonResponse(200, {
      Result: saved
        ? {
            ResponseStatus: status,
            Id: saved.Id,
            Number: saved.Number,
            NeedReturnData: returnData,
          }
        : { ResponseStatus: status, Id: '', NeedReturnData: [] },
    });
  }

  function handleQuery(
    body: Record<string, unknown>,
    asObjects: boolean,
  ): PlatformResponse {
    const args = extractArgs(body, ['data']);
    const data = parseData(args?.['data']);
    const fail = (msgCode: number, message: string): PlatformResponse =>
      jsonResponse(200, [[k3Failure(msgCode, message)]]);
    if (!data)
      return fail(
        K3_MSG.parameterError,
        '参数data格式错误：无法解析为 JSON 对象',
      );
    const formId = String(getCI(data, 'FormId') ?? '');
    if (formId === '')
      return fail(K3_MSG.emptyFormId, '表单Id(FormId)不能为空');
    const form = findK3Form(formId);
    if (!form)
      return fail(
        K3_MSG.exception,
        `标识为“${formId}”的业务对象不存在，或者被删除`,
      );
    const rawKeys = getCI(data, 'FieldKeys');
    const fieldKeys = (
      Array.isArray(rawKeys)
        ? rawKeys.map(String)
        : String(rawKeys ?? '').split(',')
    )
      .map((k) => k.trim())
      .filter((k) => k !== '');
    const filter = filterText(getCI(data, 'FilterString'));
    if (filter === undefined) return fail(K3_MSG.exception, '过滤条件格式错误');
    const outcome = executeBillQuery(
      form,
      {
        fieldKeys,
        filter,
        orderString: String(getCI(data, 'OrderString') ?? ''),
        topRowCount: Number(getCI(data, 'TopRowCount') ?? 0) || 0,
        startRow: Number(getCI(data, 'StartRow') ?? 0) || 0,
        limit: Number(getCI(data, 'Limit') ?? 0) || 0,
      },
      documents,
      masterData,
    );
    if (!outcome.ok) return fail(outcome.msgCode, outcome.message);
    if (!asObjects) return jsonResponse(200, outcome.rows);
    return jsonResponse(
      200,
      outcome.rows.map((row) =>
        Object.fromEntries(fieldKeys.map((key, i) => [key, row[i] ?? null])),
      ),
    );
  }

  function formAndData(
    body: Record<string, unknown>,
  ): { form: K3FormDef; data: Record<string, unknown> } | PlatformResponse {
    const args = extractArgs(body, ['formid', 'data']);
    const formId = args ? String(args['formid'] ?? '') : '';
    if (formId === '')
      return jsonResponse(
        200,
        k3Failure(K3_MSG.emptyFormId, '表单Id(FormId)不能为空'),
      );
    const form = findK3Form(formId);
    if (!form)
      return jsonResponse(
        200,
        k3Failure(
          K3_MSG.exception,
          `标识为“${formId}”的业务对象不存在，或者被删除`,
        ),
      );
    const data = parseData(args?.['data']);
    if (!data)
      return jsonResponse(
        200,
        k3Failure(
          K3_MSG.parameterError,
          '参数data格式错误：无法解析为 JSON 对象',
        ),
      );
    return { form, data };
  }

  function handleView(body: Record<string, unknown>): PlatformResponse {
    const parsed = formAndData(body);
    if ('status' in parsed) return parsed;
    const { form, data } = parsed;
    const number = getCI(data, 'Number');
    const id = Number(getCI(data, 'Id') ?? 0);
    const doc =
      number !== undefined && number !== null && number !== ''
        ? documents.findByNumber(form.formId, String(number))
        : id > 0
          ? documents.findById(form.formId, id)
          : undefined;
    if (!doc)
      return jsonResponse(
        200,
        k3Failure(K3_MSG.dataNotFound, `${form.caption}数据不存在或已被删除`),
      );
    return jsonResponse(200, {
      Result: {
        ResponseStatus: k3Status([], [], 0),
        Result: {
          ...doc.body.model,
          Id: doc.id,
          [form.numberField]: doc.billNo,
          DocumentStatus: doc.status,
        },
      },
    });
  }

  function handleStateChange(
    body: Record<string, unknown>,
    op: 'submit' | 'audit' | 'unaudit' | 'delete',
  ): PlatformResponse {
    const parsed = formAndData(body);
    if ('status' in parsed) return parsed;
    const { form, data } = parsed;
    const numbers = stringList(getCI(data, 'Numbers'));
    const ids = String(getCI(data, 'Ids') ?? '')
      .split(',')
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
    const targets: Array<{
      label: string;
      doc: ReturnType<typeof documents.findById>;
    }> = [
      ...numbers.map((n) => ({
        label: n,
        doc: documents.findByNumber(form.formId, n),
      })),
      ...ids.map((i) => ({
        label: String(i),
        doc: documents.findById(form.formId, i),
      })),
    ];
    if (targets.length === 0)
      return jsonResponse(
        200,
        k3Failure(K3_MSG.parameterError, '参数Numbers或Ids不能同时为空'),
      );
    const errors: K3Error[] = [];
    const successes: K3SuccessEntity[] = [];
    const messages: K3Error[] = [];
    let msgCode: number = K3_MSG.default;
    const verb = {
      submit: '提交',
      audit: '审核',
      unaudit: '反审核',
      delete: '删除',
    }[op];
    targets.forEach(({ label, doc }, index) => {
      const fail = (code: number, message: string): void => {
        errors.push({ FieldName: '', Message: message, DIndex: index });
        if (msgCode === K3_MSG.default) msgCode = code;
      };
      if (!doc)
        return fail(
          K3_MSG.dataNotFound,
          `单据编号为“${label}”的${form.caption}不存在或已被删除`,
        );
      const prefix = `单据编号为“${doc.billNo}”的${form.caption}，`;
      const allowed = {
        submit: ['A', 'D'],
        audit: ['B'],
        unaudit: ['C'],
        delete: ['A', 'D'],
      }[op];
      if (!allowed.includes(doc.status)) {
        if (op === 'audit' && doc.status === 'C')
          return fail(K3_MSG.validationFailed, `${prefix}单据已经审核！`);
        return fail(
          K3_MSG.validationFailed,
          `${prefix}当前单据状态不允许${verb}！`,
        );
      }
      if (op === 'delete') documents.delete(doc);
      else doc.status = { submit: 'B', audit: 'C', unaudit: 'D' }[op];
      documents.note(doc, op, new Date(now()));
      if (form.kind === 'basedata') {
        const record = masterData.find(form.formId, doc.billNo);
        if (record && op === 'delete')
          masterData.remove(form.formId, doc.billNo);
        else if (record)
          record.status =
            doc.status === 'C' ? 'C' : doc.status === 'B' ? 'B' : 'A';
      }
      successes.push({ Id: doc.id, Number: doc.billNo, DIndex: index });
      messages.push({
        FieldName: '',
        Message: `${prefix}${verb}成功！`,
        DIndex: index,
      });
    });
    return jsonResponse(200, {
      Result: {
        ResponseStatus: k3Status(errors, successes, msgCode, messages),
        NeedReturnData: [],
      },
    });
  }

  function adminRoutes(): AdminRoute[] {
    return kingdeeAdminRoutes({
      documents,
      view: (doc) => ({
        status: doc.status,
        unresolvedRefs: doc.body.unresolvedRefs,
        model: doc.body.model,
      }),
      masterData: (req) =>
        masterData.list(req.query.get('formId') ?? undefined),
      masterUpsert: {
        schema: masterUpsertSchema,
        whenEmpty: undefined,
        apply: (body) => {
          const form = findK3Form(body.formId);
          const formId = form?.formId ?? body.formId;
          const upserted = body.records.map((record) =>
            masterData.upsert(formId, record),
          );
          const removed = body.remove.filter((number) =>
            masterData.remove(formId, number),
          );
          return { upserted, removed };
        },
      },
      expireSessions: () => sessions.expireAll(),
    });
  }

  const server = await startSimServer(behaviour, options, deps);
  return {
    ...server,
    baseUrl: `${server.url}/k3cloud/`,
    acctId: options.acctId,
    documents,
    masterData,
    sessions,
    options,
  };
}

function loginFailure(
  resultType: number,
  message: string,
): Record<string, unknown> {
  return {
    Message: message,
    MessageCode: null,
    LoginResultType: resultType,
    Context: null,
    KDSVCSessionId: null,
    FormId: null,
    RedirectFormParam: null,
    FormInputObject: null,
    ErrorStackTrace: null,
    Lcid: 0,
    AccessToken: null,
    CustomParam: {},
    KdAccessResult: null,
    IsSuccessByAPI: false,
  };
}

/** Arguments from the positional (`parameters`, array or JSON text) or the named envelope, keys lower-cased. */
function extractArgs(
  body: unknown,
  names: string[],
): Record<string, unknown> | undefined {
  if (!isRecord(body)) return undefined;
  let positional = getCI(body, 'parameters');
  if (typeof positional === 'string')
    positional = parseJsonOrUndefined(positional);
  const out: Record<string, unknown> = {};
  if (Array.isArray(positional)) {
    names.forEach((name, i) => (out[name.toLowerCase()] = positional[i]));
    return out;
  }
  for (const name of names) out[name.toLowerCase()] = getCI(body, name);
  return out;
}

function parseData(value: unknown): Record<string, unknown> | undefined {
  const parsed =
    typeof value === 'string' ? parseJsonOrUndefined(value) : value;
  return isRecord(parsed) ? parsed : undefined;
}

function bool(value: unknown): boolean {
  return (
    value === true ||
    value === 1 ||
    (typeof value === 'string' && value.trim().toLowerCase() === 'true')
  );
}

function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string' && value.trim() !== '')
    return value.split(',').map((s) => s.trim());
  return [];
}

/** FilterString as SQL text, or the explorer's array of {Left,FieldName,Compare,Value,Right,Logic} turned into text. */
function filterText(value: unknown): string | undefined {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return undefined;
  let text = '';
  value.forEach((item, index) => {
    if (!isRecord(item)) return;
    const field = String(getCI(item, 'FieldName') ?? '');
    const compare = String(getCI(item, 'Compare') ?? '=').trim();
    const raw = getCI(item, 'Value');
    const literal = (v: unknown): string =>
      typeof v === 'number'
        ? String(v)
        : `'${String(v ?? '').replace(/'/g, "''")}'`;
    const op = compare.toLowerCase();
    const rhs =
      op === 'in' || op === 'not in'
        ? `(${String(raw ?? '')
            .split(',')
            .map((v) => literal(v.trim()))
            .join(',')})`
        : literal(raw);
    text += ` ${String(getCI(item, 'Left') ?? '')} ${field} ${compare} ${rhs} ${String(getCI(item, 'Right') ?? '')}`;
    if (index < value.length - 1) {
      const logic = String(getCI(item, 'Logic') ?? 'AND')
        .trim()
        .toUpperCase();
      text += logic === '1' || logic === 'OR' ? ' OR' : ' AND';
    }
  });
  return text;
}
