/**
 * The operator commands behind the one `kingbridge` CLI (tools/), each loaded only when it runs. Every command's
 * `run(argv)` prints its own usage on --help (exit 0), names an unknown option or command (exit 2) and returns its
 * exit code; the scripts stay runnable on their own (`npx tsx scripts/<name>.ts`).
 */
export interface OperatorCommand {
  /** One line for `kingbridge --help`. */
  readonly summary: string;
  /** The script it delegates to, for the usage text. */
  readonly script: string;
  readonly load: () => Promise<(argv: readonly string[]) => Promise<number>>;
}

export const OPERATOR_COMMANDS = {
  plan: {
    summary: 'validate plans, or dry-run one plan on a records file',
    script: 'scripts/plan.ts',
    load: async () => (await import('./plan')).run,
  },
  reconcile: {
    summary: 'compare what the source should have made with what Kingdee holds',
    script: 'scripts/reconcile.ts',
    load: async () => (await import('./reconcile')).run,
  },
  trace: {
    summary: 'follow one source record through topics, ledger and dead letters',
    script: 'scripts/trace.ts',
    load: async () => (await import('./trace')).run,
  },
  backfill: {
    summary: 're-read a time range of one stream into its raw topic',
    script: 'scripts/backfill.ts',
    load: async () => (await import('./backfill')).run,
  },
  dlq: {
    summary:
      "list or replay dead letters: a topic's (<topic.dlq>) or the sink's Kingdee ones (sink)",
    script: 'scripts/replay-dlq.ts',
    load: async () => (await import('./replay-dlq')).run,
  },
  lookups: {
    summary: 'load or list the transform lookup tables (load|list)',
    script: 'scripts/lookups.ts',
    load: async () => (await import('./lookups')).run,
  },
  migrate: {
    summary: 'apply every service migration, or --check that none is pending',
    script: 'scripts/migrate.ts',
    load: async () => (await import('./migrate')).run,
  },
} as const satisfies Record<string, OperatorCommand>;

export type OperatorCommandName = keyof typeof OPERATOR_COMMANDS;
