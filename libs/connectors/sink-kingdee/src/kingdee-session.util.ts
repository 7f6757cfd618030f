import type { ErrorClass } from '@kingbridge/contracts';
import {
  RESEND_ONCE,
  RetryStoppedError,
  retryWithBackoff,
  toPipelineError,
} from '@kingbridge/pipeline-core';
import { kingdeeError } from './kingdee-error.classifier';
import type { KingdeeRequestHooks } from './kingdee-http.util';

/** The platform refused the session or token of a call (K3Cloud MsgCode 1, JDY 1030002003, WISE 401). */
export class CredentialRefused extends Error {}

/** A token valid until `expiresAt` (epoch ms). */
export interface ExpiringToken {
  readonly value: string;
  readonly expiresAt: number;
}

/**
 * A login session or token the client shares between concurrent calls: obtained once at a time (single
 * flight; calls arriving meanwhile wait for the same one), reused while `usable`.
 */
export class SharedCredential<T> {
  private current: T | undefined;
  private pending: Promise<T> | undefined;

  constructor(
    private readonly obtain: (signal?: AbortSignal) => Promise<T>,
    private readonly usable: (value: T) => boolean = () => true,
  ) {}

  peek(): T | undefined {
    return this.current;
  }

  /** Takes a credential the platform handed out on its own (e.g. a session cookie). */
  set(value: T): void {
    this.current = value;
  }

  /** The current credential, or a new one when there is none, it is no longer usable, or it is `stale` (refused). */
  get(signal?: AbortSignal, stale?: T): Promise<T> {
    const current = this.current;
    if (current !== undefined && current !== stale && this.usable(current))
      return Promise.resolve(current);
    this.pending ??= (async () => {
      this.current = undefined;
      const value = await this.obtain(signal);
      this.current = value;
      return value;
    })().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }
}

/**
 * Runs `call` with the shared credential. A `CredentialRefused` answer gets a new credential and one resend
 * (safe for writes: the platform refused before doing anything); a second refusal is `session_lost`.
 */
export async function withCredential<C, T>(
  credential: SharedCredential<C>,
  label: string,
  call: (value: C) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  let used: C | undefined;
  try {
    return await retryWithBackoff(
      async () => {
        used = await credential.get(signal, used);
        return await call(used);
      },
      {
        policy: RESEND_ONCE,
        retryable: (err) => err instanceof CredentialRefused,
      },
    );
  } catch (err) {
    if (
      err instanceof RetryStoppedError &&
      err.lastError instanceof CredentialRefused
    )
      throw kingdeeError('session_lost', `${label}: ${err.lastError.message}`);
    throw err;
  }
}

/**
 * Times one request and reports it to `hooks.onRequest`: `ok`, the class `answered` marks (a refusal the
 * platform answered normally), `session_lost` for a refused credential, else the class of the error thrown.
 */
export async function observeRequest<T>(
  hooks: KingdeeRequestHooks | undefined,
  endpoint: string,
  now: () => number,
  run: (answered: (outcome: ErrorClass) => void) => Promise<T>,
): Promise<T> {
  const started = now();
  let outcome: 'ok' | ErrorClass = 'ok';
  try {
    return await run((o) => {
      outcome = o;
    });
  } catch (err) {
    outcome =
      err instanceof CredentialRefused
        ? 'session_lost'
        : toPipelineError(err).errorClass;
    throw err;
  } finally {
    hooks?.onRequest?.({
      endpoint,
      outcome,
      seconds: (now() - started) / 1000,
    });
  }
}
