import { timingSafeEqual, createHash } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';

/** Injection token of the admin token (`string | undefined`), provided by ObservabilityModule. */
export const ADMIN_TOKEN = Symbol('kingbridge.admin-token');

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Compares two secrets in constant time: both are hashed to 32 bytes first,
 * so `timingSafeEqual` always sees equal-length buffers and the length of
 * the configured token does not leak through timing.
 */
export function tokensMatch(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * Guards admin/ops endpoints: requires `Authorization: Bearer <ADMIN_TOKEN>`.
 * Missing or wrong token → 401 `{ statusCode, error, message }` (never echoes
 * the token). Closed by default: without a configured ADMIN_TOKEN every
 * admin request answers 401 and a warn line says admin endpoints are disabled.
 * Use with `@UseGuards(AdminTokenGuard)` in any module of an app that imports
 * `ObservabilityModule.forRoot({ ..., adminToken })`.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly logger = new Logger('AdminTokenGuard');

  constructor(@Inject(ADMIN_TOKEN) private readonly token: string | undefined) {
    if (!token)
      this.logger.warn(
        'ADMIN_TOKEN is not set: admin endpoints are disabled (every request answers 401)',
      );
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    if (!this.token)
      throw new UnauthorizedException('admin endpoints are disabled');
    const header = request.headers['authorization'];
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!match?.[1]) throw new UnauthorizedException('bearer token required');
    if (!tokensMatch(match[1], this.token))
      throw new UnauthorizedException('invalid token');
    return true;
  }
}
