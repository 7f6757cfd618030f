import { randomBytes, randomUUID } from 'node:crypto';
import { headerValue, type SimRequest } from '../shared/kingdee-server';
import {
  k3ApiSignature,
  k3GatewaySecrets,
  k3KdSignature,
  k3LoginSign,
  type K3LoginSignAlgorithm as LoginSignAlgorithm,
} from '@kingbridge/sink-kingdee-client/protocol';
import { safeEqual } from '../../common';

export interface K3User {
  readonly userName: string;
  readonly password: string;
}

export interface K3App {
  readonly appId: string;
  readonly appSecret: string;
}

export interface K3AuthConfig {
  readonly acctId: string;
  readonly users: readonly K3User[];
  readonly apps: readonly K3App[];
  readonly sessionTtlMs: number;
  readonly loginSignAlgorithm: LoginSignAlgorithm;
  readonly loginSignMaxSkewMs: number;
  readonly verifyGatewaySignature: boolean;
}

export interface K3Session {
  readonly sid: string;
  readonly aspNetSessionId: string;
  readonly userName: string;
  readonly lcid: number;
  lastSeenMs: number;
}

/** What ValidateUser (password), LoginByAppSecret or LoginBySign proves. */
export type K3LoginCredentials = Readonly<
  | { kind: 'password'; password: string }
  | { kind: 'appSecret'; appId: string; appSecret: string }
  | { kind: 'sign'; appId: string; timestamp: string; sign: string }
>;

/** One AuthService login. */
export type K3LoginRequest = {
  readonly acctId: string;
  readonly userName: string;
  readonly lcid: number;
} & K3LoginCredentials;

export type K3LoginOutcome =
  | { ok: true; session: K3Session }
  | { ok: false; resultType: number; message: string };

export type K3AuthOutcome =
  | { ok: true; session: K3Session; setCookies: string[] }
  | { ok: false; kind: 'session-lost' }
  | { ok: false; kind: 'passport'; text: string };

const NO_ACCT = '数据中心不存在或已被禁用，请检查数据中心ID';
const APP_REFUSED = '第三方系统登录授权验证失败：';

function refused(message: string, resultType = -1): K3LoginOutcome {
  return { ok: false, resultType, message };
}

/** Sessions with a sliding TTL, the three login services and the SDK signed-header mode. */
export class K3SessionManager {
  private readonly sessions = new Map<string, K3Session>();

  constructor(
    private readonly config: K3AuthConfig,
    private readonly now: () => number,
  ) {}

  count(): number {
    return this.sessions.size;
  }

  expireAll(): number {
    const n = this.sessions.size;
    this.sessions.clear();
    return n;
  }

  logout(sid: string | undefined): boolean {
    return sid !== undefined && this.sessions.delete(sid);
  }

  /** The AuthService logins: the data centre first, then the credentials, then the user. */
  login(request: K3LoginRequest): K3LoginOutcome {
    if (request.acctId !== this.config.acctId) return refused(NO_ACCT);
    const refusal =
      request.kind === 'password'
        ? this.passwordRefusal(request)
        : this.appRefusal(request);
    if (refusal) return refusal;
    // A password login has its user checked already; an app-authorised one takes any configured user.
    if (!this.config.users.some((u) => u.userName === request.userName))
      return refused(`用户[${request.userName}]不存在或已被禁用`);
    return { ok: true, session: this.create(request.userName, request.lcid) };
  }

  private passwordRefusal(
    request: K3LoginRequest & { kind: 'password' },
  ): K3LoginOutcome | undefined {
    const user = this.config.users.find((u) => u.userName === request.userName);
    return !user || user.password !== request.password
      ? refused('用户名或密码错误！', 0)
      : undefined;
  }

  private appRefusal(
    request: K3LoginRequest & { kind: 'appSecret' | 'sign' },
  ): K3LoginOutcome | undefined {
    const app = this.config.apps.find((a) => a.appId === request.appId);
    if (request.kind === 'appSecret')
      return !app || app.appSecret !== request.appSecret
        ? refused(`${APP_REFUSED}应用ID或应用密钥不正确`)
        : undefined;
    if (!app) return refused(`${APP_REFUSED}应用ID不存在`);
    const { acctId, userName, appId, timestamp } = request;
    const expected = k3LoginSign(
      { acctId, userName, appId, appSecret: app.appSecret, timestamp },
      this.config.loginSignAlgorithm,
    );
    if (!safeEqual(expected, request.sign.toLowerCase()))
      return refused(`${APP_REFUSED}签名信息不正确`);
    const seconds = Number(timestamp);
    if (
      !Number.isFinite(seconds) ||
      Math.abs(this.now() - seconds * 1000) > this.config.loginSignMaxSkewMs
    )
      return refused(`${APP_REFUSED}时间戳已过期`);
    return undefined;
  }

  /** Session from the cookie or the SDK headers, or the signed-header mode when X-Kd-Appkey is present. */
  authenticate(req: SimRequest): K3AuthOutcome {
    if (headerValue(req.headers, 'x-kd-appkey') !== undefined)
      return this.authenticateSigned(req);
    const session = this.live(sessionIdOf(req));
    if (!session) return { ok: false, kind: 'session-lost' };
    session.lastSeenMs = this.now();
    return { ok: true, session, setCookies: [] };
  }

  private authenticateSigned(req: SimRequest): K3AuthOutcome {
    const appKey = headerValue(req.headers, 'x-kd-appkey') ?? '';
    const app = this.config.apps.find((a) => a.appId === appKey);
    const appDataB64 = headerValue(req.headers, 'x-kd-appdata') ?? '';
    const appData = Buffer.from(appDataB64, 'base64').toString('utf8');
    const [acctId = '', userName = '', lcid = '2052'] = appData.split(',');
    const kdSignature = headerValue(req.headers, 'x-kd-signature') ?? '';
    if (
      !app ||
      !safeEqual(k3KdSignature(appKey, app.appSecret, appData), kdSignature)
    )
      return { ok: false, kind: 'session-lost' };
    if (acctId !== this.config.acctId)
      return {
        ok: false,
        kind: 'passport',
        text: 'Fail to verify thirty passport',
      };
    if (!this.config.users.some((u) => u.userName === userName))
      return { ok: false, kind: 'session-lost' };
    if (
      this.config.verifyGatewaySignature &&
      !gatewaySignatureValid(req, appKey)
    )
      return { ok: false, kind: 'session-lost' };
    // Signed mode needs no login: a missing, unknown or expired SID is silently replaced.
    let session = this.live(sessionIdOf(req));
    const setCookies: string[] = [];
    if (!session || session.userName !== userName) {
      session = this.create(userName, Number(lcid) || 2052);
      setCookies.push(...sessionCookies(session));
    }
    session.lastSeenMs = this.now();
    return { ok: true, session, setCookies };
  }

  private live(sid: string | undefined): K3Session | undefined {
    if (sid === undefined) return undefined;
    const session = this.sessions.get(sid);
    if (!session) return undefined;
    if (this.now() - session.lastSeenMs > this.config.sessionTtlMs) {
      this.sessions.delete(sid);
      return undefined;
    }
    return session;
  }

  private create(userName: string, lcid: number): K3Session {
    const session: K3Session = {
      sid: randomBytes(16).toString('hex'),
      aspNetSessionId: randomUUID().replace(/-/g, '').slice(0, 24),
      userName,
      lcid,
      lastSeenMs: this.now(),
    };
    this.sessions.set(session.sid, session);
    return session;
  }
}

export function sessionCookies(session: K3Session): string[] {
  return [
    `kdservice-sessionid=${session.sid}; path=/`,
    `ASP.NET_SessionId=${session.aspNetSessionId}; path=/; HttpOnly`,
  ];
}

/** The Python SDK sends header kdservice-sessionid, the Java SDK header SID, browsers and both SDKs the cookie. */
export function sessionIdOf(req: SimRequest): string | undefined {
  const fromHeader =
    headerValue(req.headers, 'kdservice-sessionid') ??
    headerValue(req.headers, 'sid');
  if (fromHeader) return fromHeader;
  const cookie = headerValue(req.headers, 'cookie') ?? '';
  for (const part of cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name?.toLowerCase() === 'kdservice-sessionid') return rest.join('=');
  }
  return undefined;
}

function gatewaySignatureValid(req: SimRequest, appKey: string): boolean {
  const clientId = appKey.split('_')[0] ?? '';
  if (headerValue(req.headers, 'x-api-clientid') !== clientId) return false;
  const timestamp = headerValue(req.headers, 'x-api-timestamp') ?? '';
  const nonce = headerValue(req.headers, 'x-api-nonce') ?? '';
  const signature = headerValue(req.headers, 'x-api-signature') ?? '';
  if (timestamp === '' || nonce === '' || signature === '') return false;
  return k3GatewaySecrets(appKey).some((secret) =>
    safeEqual(k3ApiSignature(secret, req.path, nonce, timestamp), signature),
  );
}
