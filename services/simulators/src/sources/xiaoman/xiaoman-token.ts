import { randomBytes } from 'node:crypto';
import type { SimRequest, SimResult } from '../../common';
import { xiaomanFail as fail } from './xiaoman-envelope';
import type { XiaomanState } from './xiaoman.options';

interface IssuedToken {
  token: string;
  scopes: string[];
  expiresAt: number;
}

/** The OAuth2 tokens issued (client_credentials) and the Bearer check of every API call. */
export class XiaomanTokens {
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(private readonly state: XiaomanState) {}

  /** Forgets every token; returns how many there were. */
  revoke(): number {
    const n = this.tokens.size;
    this.tokens.clear();
    return n;
  }

  /** `POST /oauth2/token` (JSON or form body). */
  request(req: SimRequest): SimResult {
    const { opts, clock } = this.state;
    if (req.method !== 'POST') return fail(405, '请使用POST方式请求');
    let body: Record<string, unknown>;
    if (req.contentType === 'application/json') {
      try {
        const parsed: unknown = JSON.parse(req.body);
        if (
          parsed === null ||
          typeof parsed !== 'object' ||
          Array.isArray(parsed)
        )
          return fail(400, '请求体必须是JSON对象');
        body = parsed as Record<string, unknown>;
      } catch {
        return fail(400, '请求体不是合法的JSON');
      }
    } else if (req.contentType === 'application/x-www-form-urlencoded') {
      body = Object.fromEntries(req.form);
    } else {
      return fail(400, '不支持的Content-Type');
    }
    const grant = body['grant_type'];
    if (grant !== 'client_credentials')
      return fail(400, `unsupported_grant_type: ${String(grant ?? '')}`);
    if (
      body['client_id'] !== opts.clientId ||
      body['client_secret'] !== opts.clientSecret
    )
      return fail(401, 'invalid_client: 客户端认证失败');
    const scopes =
      typeof body['scope'] === 'string'
        ? body['scope'].split(/\s+/).filter(Boolean)
        : [];
    const now = clock();
    const key = scopes.slice().sort().join(' ');
    // Re-requesting within the validity returns the same token and does not extend it.
    const existing = [...this.tokens.values()].find(
      (t) => t.expiresAt > now && t.scopes.slice().sort().join(' ') === key,
    );
    const issued = existing ?? {
      token: randomBytes(20).toString('hex'),
      scopes,
      expiresAt: now + opts.tokenTtlSeconds * 1000,
    };
    this.tokens.set(issued.token, issued);
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        expires_in: Math.floor((issued.expiresAt - now) / 1000),
        access_token: issued.token,
        scope: scopes.join(' '),
      },
      outcome: 'ok',
    };
  }

  /** The Bearer token, its scope and the rate limit: a refusal, or null to go on. */
  authorize(req: SimRequest, scope: string): SimResult | null {
    const header = req.headers['authorization'];
    const match =
      typeof header === 'string' ? /^Bearer (\S+)$/.exec(header) : null;
    const issued = match ? this.tokens.get(match[1]!) : undefined;
    if (!issued || issued.expiresAt <= req.at)
      return fail(401, 'access_token无效或已过期');
    if (!issued.scopes.includes(scope))
      return fail(403, `no permission ${scope} scopes`);
    if (this.state.limiter.tryAcquire(req.at) !== null)
      return fail(429, '请求过于频繁，请稍后再试', 'throttled');
    return null;
  }
}
