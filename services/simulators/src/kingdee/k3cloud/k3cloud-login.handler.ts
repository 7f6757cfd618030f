import { randomUUID } from 'node:crypto';
import {
  jsonResponse,
  type PlatformResponse,
  type SimRequest,
} from '../shared/kingdee-server';
import { extractArgs } from './k3cloud-args.util';
import {
  sessionCookies,
  sessionIdOf,
  type K3LoginCredentials,
  type K3Session,
  type K3SessionManager,
} from './k3cloud-auth';
import { K3_AUTH_PREFIX } from './k3cloud-response.util';

export interface K3LoginContext {
  readonly sessions: K3SessionManager;
  readonly acctId: string;
}

/** Each login service: its positional parameter names and the credentials read from them. */
const LOGINS: Readonly<
  Record<
    string,
    {
      readonly args: readonly string[];
      readonly credentials: (s: (name: string) => string) => K3LoginCredentials;
    }
  >
> = {
  validateuser: {
    args: ['acctID', 'username', 'password', 'lcid'],
    credentials: (s) => ({ kind: 'password', password: s('password') }),
  },
  validateuser2: {
    args: ['acctID', 'username', 'password', 'isKickOff', 'lcid'],
    credentials: (s) => ({ kind: 'password', password: s('password') }),
  },
  loginbyappsecret: {
    args: ['acctID', 'username', 'appId', 'appSecret', 'lcid'],
    credentials: (s) => ({
      kind: 'appSecret',
      appId: s('appId'),
      appSecret: s('appSecret'),
    }),
  },
  loginbysign: {
    args: ['acctID', 'username', 'appId', 'timestamp', 'sign', 'lcid'],
    credentials: (s) => ({
      kind: 'sign',
      appId: s('appId'),
      timestamp: s('timestamp'),
      sign: s('sign'),
    }),
  },
};

/** The AuthService calls: ValidateUser(2), LoginByAppSecret, LoginBySign, Logout. */
export function handleLogin(
  ctx: K3LoginContext,
  req: SimRequest,
  service: string,
  body: unknown,
): PlatformResponse {
  const op = service.slice(K3_AUTH_PREFIX.length);
  if (op === 'logout') {
    return jsonResponse(200, ctx.sessions.logout(sessionIdOf(req)));
  }
  const login = LOGINS[op];
  if (!login)
    return jsonResponse(
      200,
      loginFailure(-1, `服务“${service}”不存在或未实现`),
    );
  const args = extractArgs(body, login.args);
  if (!args) return jsonResponse(200, loginFailure(-1, '请求参数格式错误'));
  const s = (name: string): string => {
    const v = args[name.toLowerCase()];
    return v === undefined || v === null ? '' : String(v);
  };
  const outcome = ctx.sessions.login({
    acctId: s('acctID'),
    userName: s('username'),
    lcid: Number(s('lcid')) || 2052,
    ...login.credentials(s),
  });
  if (!outcome.ok)
    return jsonResponse(200, loginFailure(outcome.resultType, outcome.message));
  return jsonResponse(200, loginSuccess(ctx, outcome.session), {
    'set-cookie': sessionCookies(outcome.session),
  });
}

function loginSuccess(
  ctx: K3LoginContext,
  session: K3Session,
): Record<string, unknown> {
  return {
    Message: null,
    MessageCode: 'CheckPasswordPolicy',
    LoginResultType: 1,
    Context: {
      UserLocale: 'zh-CN',
      LogLocale: 'zh-CN',
      DBid: ctx.acctId,
      DatabaseType: 3,
      SessionId: session.sid,
      UseLanguages: [{ LocaleId: 2052, LocaleName: '中文(简体)', Alias: 'CN' }],
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

export function loginFailure(
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
