import { describe, expect, it } from 'vitest';
import {
  K3SessionManager,
  type K3LoginCredentials,
  type K3LoginRequest,
} from '../k3cloud/k3cloud-auth';
import { loginBySignSign } from './k3cloud-test.signer';

const NOW = 1_700_000_000_000;
const ACCT = 'acct-1';
const APP = { appId: 'app-1', appSecret: 'secret-1' };

function manager(): K3SessionManager {
  return new K3SessionManager(
    {
      acctId: ACCT,
      users: [{ userName: 'alice', password: 'pw' }],
      apps: [APP],
      sessionTtlMs: 60_000,
      loginSignAlgorithm: 'sha256',
      loginSignMaxSkewMs: 60_000,
      verifyGatewaySignature: false,
    },
    () => NOW,
  );
}

/** A login of `userName` to ACCT (or `acctId`) with these credentials. */
const login = (
  userName: string,
  credentials: K3LoginCredentials,
  { acctId = ACCT, lcid = 2052 } = {},
): K3LoginRequest => ({ acctId, userName, lcid, ...credentials });
/** A LoginBySign of `userName`, signed right unless `change` says otherwise. */
const signed = (
  userName: string,
  change: { timestamp?: string; appId?: string; sign?: string } = {},
): K3LoginRequest => {
  const timestamp = change.timestamp ?? String(NOW / 1000);
  return login(userName, {
    kind: 'sign',
    appId: change.appId ?? APP.appId,
    timestamp,
    sign:
      change.sign ??
      loginBySignSign(ACCT, userName, APP.appId, APP.appSecret, timestamp),
  });
};
const password = (value: string): K3LoginCredentials => ({
  kind: 'password',
  password: value,
});
const appSecret = (value: string): K3LoginCredentials => ({
  kind: 'appSecret',
  appId: APP.appId,
  appSecret: value,
});

describe('K3SessionManager.login', () => {
  it('should open a session when each kind of credentials is right', () => {
    const sessions = manager();
    const logins = [
      login('alice', password('pw'), { lcid: 1033 }),
      login('alice', appSecret(APP.appSecret)),
      signed('alice'),
    ];
    const outcomes = logins.map((l) => sessions.login(l));
    expect(outcomes.map((o) => o.ok && o.session.lcid)).toEqual([
      1033, 2052, 2052,
    ]);
    expect(sessions.count()).toBe(3);
  });

  it('should refuse with the service message when a check fails, data centre first', () => {
    const sessions = manager();
    const refusals = [
      login('alice', password('pw'), { acctId: 'other' }),
      login('alice', password('bad')),
      login('bob', password('pw')),
      login('alice', appSecret('bad')),
      login('bob', appSecret(APP.appSecret)),
      signed('alice', { appId: 'nope' }),
      signed('alice', { sign: 'bad' }),
      signed('alice', { timestamp: String(NOW / 1000 - 61) }),
      signed('bob'),
    ];
    expect(refusals.map((r) => sessions.login(r))).toEqual([
      {
        ok: false,
        resultType: -1,
        message: '数据中心不存在或已被禁用，请检查数据中心ID',
      },
      { ok: false, resultType: 0, message: '用户名或密码错误！' },
      { ok: false, resultType: 0, message: '用户名或密码错误！' },
      {
        ok: false,
        resultType: -1,
        message: '第三方系统登录授权验证失败：应用ID或应用密钥不正确',
      },
      { ok: false, resultType: -1, message: '用户[bob]不存在或已被禁用' },
      {
        ok: false,
        resultType: -1,
        message: '第三方系统登录授权验证失败：应用ID不存在',
      },
      {
        ok: false,
        resultType: -1,
        message: '第三方系统登录授权验证失败：签名信息不正确',
      },
      {
        ok: false,
        resultType: -1,
        message: '第三方系统登录授权验证失败：时间戳已过期',
      },
      { ok: false, resultType: -1, message: '用户[bob]不存在或已被禁用' },
    ]);
    expect(sessions.count()).toBe(0);
  });
});
