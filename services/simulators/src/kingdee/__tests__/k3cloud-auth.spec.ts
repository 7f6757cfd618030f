import { describe, expect, it } from 'vitest';
import { K3SessionManager, type K3LoginRequest } from '../k3cloud/k3cloud-auth';
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

const ts = String(NOW / 1000);
const signed = (
  userName: string,
  change: { timestamp?: string; appId?: string; sign?: string } = {},
): K3LoginRequest => {
  const timestamp = change.timestamp ?? ts;
  return {
    acctId: ACCT,
    userName,
    lcid: 2052,
    kind: 'sign',
    appId: change.appId ?? APP.appId,
    timestamp,
    sign:
      change.sign ??
      loginBySignSign(ACCT, userName, APP.appId, APP.appSecret, timestamp),
  };
};

describe('K3SessionManager.login', () => {
  it('should open a session when each kind of credentials is right', () => {
    const sessions = manager();
    const logins: K3LoginRequest[] = [
      {
        acctId: ACCT,
        userName: 'alice',
        lcid: 1033,
        kind: 'password',
        password: 'pw',
      },
      {
        acctId: ACCT,
        userName: 'alice',
        lcid: 2052,
        kind: 'appSecret',
        ...APP,
      },
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
      {
        acctId: 'other',
        userName: 'alice',
        lcid: 2052,
        kind: 'password',
        password: 'pw',
      },
      {
        acctId: ACCT,
        userName: 'alice',
        lcid: 2052,
        kind: 'password',
        password: 'bad',
      },
      {
        acctId: ACCT,
        userName: 'bob',
        lcid: 2052,
        kind: 'password',
        password: 'pw',
      },
      {
        acctId: ACCT,
        userName: 'alice',
        lcid: 2052,
        kind: 'appSecret',
        appId: APP.appId,
        appSecret: 'bad',
      },
      { acctId: ACCT, userName: 'bob', lcid: 2052, kind: 'appSecret', ...APP },
      signed('alice', { appId: 'nope' }),
      signed('alice', { sign: 'bad' }),
      signed('alice', { timestamp: String(NOW / 1000 - 61) }),
      signed('bob'),
    ] satisfies K3LoginRequest[];
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
