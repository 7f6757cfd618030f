import type { ErrorClass } from '@kingbridge/contracts';
import type { z } from 'zod';
import {
  eachRow,
  kingdeeTransport,
  type KingdeeClientOptions,
  type KingdeeJsonRequest,
  type KingdeeTransport,
} from './kingdee-client.util';
import {
  parseKingdeeJson,
  type KingdeeHttpResponse,
} from './kingdee-http.util';
import {
  type ExpiringToken,
  observeRequest,
  SharedCredential,
  withCredential,
} from './kingdee-session.util';
import type {
  BillRef,
  KingdeeWriter,
  RowOutcome,
  WriteRequest,
  WriteRow,
} from './kingdee-writer.port';

/** A bill lookup: the bill numbers of a form; each bill the platform has is `add`ed under the number asked. */
export interface BillLookup {
  readonly formId: string;
  readonly billNos: readonly string[];
  readonly signal?: AbortSignal | undefined;
  add(billNo: string, ref: BillRef): void;
}

/**
 * The shell of a Kingdee client that writes one row a request with a cached expiring token (JDY, K/3 WISE):
 * the transport, the token (fetched once at a time, reused until `marginMs` before it expires, refetched once
 * when the platform refuses it) and the request observation. A subclass keeps only its protocol: how a token is
 * fetched, how a row is written and how bills are found.
 */
export abstract class TokenCachedClient implements KingdeeWriter {
  abstract readonly target: 'jdy' | 'k3wise';
  protected readonly io: KingdeeTransport;
  private readonly token: SharedCredential<ExpiringToken>;

  protected constructor(
    private readonly shell: KingdeeClientOptions,
    marginMs: number,
  ) {
    this.io = kingdeeTransport(shell);
    this.token = new SharedCredential(
      (signal) => this.fetchToken(signal),
      (token) => token.expiresAt > this.io.now() + marginMs,
    );
  }

  maxRowsPerRequest(): number {
    return 1;
  }

  write(request: WriteRequest): Promise<RowOutcome[]> {
    return eachRow(request.rows, (row) => this.writeRow(request, row));
  }

  async findBills(
    formId: string,
    billNos: readonly string[],
    signal?: AbortSignal,
  ): Promise<Map<string, BillRef>> {
    const found = new Map<string, BillRef>();
    await this.lookUpBills({
      formId,
      billNos,
      signal,
      add: (billNo, ref) => found.set(billNo, ref),
    });
    return found;
  }

  /** Looks the bills up on the platform and `add`s each one it has. */
  protected abstract lookUpBills(lookup: BillLookup): Promise<void>;

  /** One row's save call (its errors become a `failed` outcome). */
  protected abstract writeRow(
    request: WriteRequest,
    row: WriteRow,
  ): Promise<RowOutcome>;

  /** Fetches a new token from the platform. */
  protected abstract fetchToken(signal?: AbortSignal): Promise<ExpiringToken>;

  /** Runs `call` with the cached token value; a refused token is refetched once, then the call is `session_lost`. */
  protected withToken<T>(
    path: string,
    call: (token: string) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    return withCredential(
      this.token,
      `${this.target} ${path}`,
      (token) => call(token.value),
      signal,
    );
  }

  /** One round trip to `path` whose JSON answer is read with `schema` (a malformed one is `bad_response`). */
  protected async exchange<S extends z.ZodType>(
    path: string,
    req: KingdeeJsonRequest,
    schema: S,
  ): Promise<{ res: KingdeeHttpResponse; answer: z.output<S> }> {
    const res = await this.io.send(this.target, req);
    return {
      res,
      answer: parseKingdeeJson(res, schema, `${this.target} ${path}`),
    };
  }

  /** Times one request to `path` and reports it to the hooks (see `observeRequest`). */
  protected observe<T>(
    path: string,
    run: (answered: (outcome: ErrorClass) => void) => Promise<T>,
  ): Promise<T> {
    return observeRequest(this.shell.hooks, path, this.io.now, run);
  }
}
