import { DocumentStore } from './document-store';
import {
  startSimServer,
  type PlatformBehaviour,
  type PlatformResponse,
  type SimServerHandle,
  type SimServerOptions,
  type SimulatorDeps,
} from './kingdee-server';

/** Tokens a Kingdee platform issued, each with its expiry (JDY app-token, K/3 WISE Token). */
export class TokenTable {
  private readonly tokens = new Map<string, number>();

  get size(): number {
    return this.tokens.size;
  }

  issue(token: string, expiresAt: number): void {
    this.tokens.set(token, expiresAt);
  }

  /** True while `token` is known and unexpired at `now`; an expired or unknown one is forgotten. */
  valid(token: string, now: number): boolean {
    const expires = this.tokens.get(token);
    if (expires !== undefined && expires > now) return true;
    this.tokens.delete(token);
    return false;
  }

  /** Ends every token; returns how many there were. */
  expireAll(): number {
    const expired = this.tokens.size;
    this.tokens.clear();
    return expired;
  }
}

/** A platform's master data: a copy of the seed, replaced by admin upserts, back to the seed on reset. */
export class MasterData<M> {
  current: M;

  constructor(private readonly seed: M) {
    this.current = structuredClone(seed);
  }

  reset(): void {
    this.current = structuredClone(this.seed);
  }

  /** A copy callers may keep. */
  snapshot(): M {
    return structuredClone(this.current);
  }
}

/** The simulator clock of `deps` (epoch ms), the wall clock by default. */
export function clockOf(deps: SimulatorDeps): () => number {
  return deps.now ?? (() => Date.now());
}

/** The page IIS answers with for a path it does not serve. */
export const IIS_NOT_FOUND: PlatformResponse = {
  status: 404,
  headers: { 'content-type': 'text/html' },
  body: '<html><body><h2>404 - 找不到文件或目录。</h2></body></html>',
};

/** A Kingdee platform's part: its behaviour without the stored bills' and tokens' share of reset and stats. */
export interface KingdeePlatform<TBody> extends Omit<
  PlatformBehaviour,
  'extraStats'
> {
  readonly documents: DocumentStore<TBody>;
  /** The platform's tokens, when it issues any (counted in stats, cleared on reset). */
  readonly tokens?: TokenTable;
  /** Platform stats after `documents` (and `tokens`). */
  extraStats?(): Record<string, unknown>;
}

/**
 * Starts a Kingdee simulator: reset clears its stored bills and tokens before the platform's own reset, stats
 * count them, then the one simulator HTTP stack (`startSimServer`).
 */
export function startKingdeeSimulator<TBody>(
  platform: KingdeePlatform<TBody>,
  options: SimServerOptions,
  deps: SimulatorDeps,
): Promise<SimServerHandle> {
  const { documents, tokens, extraStats, reset, ...behaviour } = platform;
  return startSimServer(
    {
      ...behaviour,
      reset: () => {
        documents.clear();
        tokens?.expireAll();
        reset();
      },
      extraStats: () => ({
        documents: documents.list().length,
        ...(tokens ? { tokens: tokens.size } : {}),
        ...extraStats?.(),
      }),
    },
    options,
    deps,
  );
}

/** What a one-form, token-issuing Kingdee platform (JDY, K/3 WISE) keeps: its bills, master data and tokens. */
export interface TokenPlatformState<TBody, M> {
  readonly documents: DocumentStore<TBody>;
  readonly master: MasterData<M>;
  readonly tokens: TokenTable;
  /** The bill handlers' common context. */
  readonly bills: {
    readonly documents: DocumentStore<TBody>;
    master(): M;
    readonly now: () => number;
    readonly uniqueBillNo: boolean;
  };
}

export function tokenPlatformState<TBody, M>(
  seed: M,
  firstDocumentId: number,
  options: { readonly uniqueBillNo: boolean },
  deps: SimulatorDeps,
): TokenPlatformState<TBody, M> {
  const documents = new DocumentStore<TBody>(firstDocumentId);
  const master = new MasterData(seed);
  return {
    documents,
    master,
    tokens: new TokenTable(),
    bills: {
      documents,
      master: () => master.current,
      now: clockOf(deps),
      uniqueBillNo: options.uniqueBillNo,
    },
  };
}

/** A started JDY or K/3 WISE simulator's common handle. */
export interface TokenPlatformHandle<TBody, M, O> extends SimServerHandle {
  readonly documents: DocumentStore<TBody>;
  readonly options: O;
  masterData(): M;
}

/** Starts a token platform: master data back to the seed on reset (then the platform's own reset). */
export async function startTokenPlatform<TBody, M, O extends SimServerOptions>(
  state: TokenPlatformState<TBody, M>,
  platform: Omit<KingdeePlatform<TBody>, 'documents' | 'tokens' | 'reset'> & {
    reset?(): void;
  },
  options: O,
  deps: SimulatorDeps,
): Promise<TokenPlatformHandle<TBody, M, O>> {
  const { documents, master, tokens } = state;
  const server = await startKingdeeSimulator(
    {
      ...platform,
      documents,
      tokens,
      reset: () => {
        master.reset();
        platform.reset?.();
      },
    },
    options,
    deps,
  );
  return {
    ...server,
    documents,
    options,
    masterData: () => master.snapshot(),
  };
}
