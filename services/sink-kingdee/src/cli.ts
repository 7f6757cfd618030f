import { parseArgs } from 'node:util';
import { baseConfigSchema, loadConfigOrExit } from '@kingbridge/config';
import { createLogger } from '@kingbridge/observability';
import { z } from 'zod';
import { SinkAdminService } from './admin/sink-admin.service';
import type {
  DeadLetterFilter,
  StoredDeadLetter,
} from './dead-letters/dead-letter.repository';

const USAGE = `usage: tsx services/sink-kingdee/src/cli.ts dlq <list|replay> [options]
  --flow <id>            only this flow
  --error-class <class>  only this error class (missing_base_data, validation, ...)
  --since <iso time>     dead-lettered at or after
  --until <iso time>     dead-lettered before
  --key <document key>   only this document
  --id <n>               only this dead letter (repeatable)
  --status <s>           open (default) | replayed | resolved | all
  --limit <n>            at most n (default 1000)
  --json                 (list) one JSON object per line
  --dry-run              (replay) show what would be replayed
env: DATABASE_URL, KAFKA_BROKERS (see .env.example)`;

const optionsSchema = z.object({
  flow: z.string().optional(),
  'error-class': z.string().optional(),
  since: z.string().datetime({ offset: true }).optional(),
  until: z.string().datetime({ offset: true }).optional(),
  key: z.string().optional(),
  id: z.array(z.string().regex(/^\d+$/, 'expected a number')).optional(),
  status: z.enum(['open', 'replayed', 'resolved', 'all']).optional(),
  limit: z.coerce.number().int().positive().optional(),
  json: z.boolean().optional(),
  'dry-run': z.boolean().optional(),
});

/** Parses `dlq list|replay` arguments into a command and a filter; throws with the usage on error. */
export function parseDlqArgs(argv: readonly string[]): {
  command: 'list' | 'replay';
  filter: DeadLetterFilter;
  json: boolean;
  dryRun: boolean;
} {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      flow: { type: 'string' },
      'error-class': { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      key: { type: 'string' },
      id: { type: 'string', multiple: true },
      status: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
    },
  });
  const [group, command] = positionals;
  if (group !== 'dlq' || (command !== 'list' && command !== 'replay'))
    throw new Error(USAGE);
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success)
    throw new Error(
      `${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n')}\n${USAGE}`,
    );
  const o = parsed.data;
  return {
    command,
    json: o.json ?? false,
    dryRun: o['dry-run'] ?? false,
    filter: {
      ...(o.flow ? { flow: o.flow } : {}),
      ...(o['error-class'] ? { errorClass: o['error-class'] } : {}),
      ...(o.since ? { since: new Date(o.since) } : {}),
      ...(o.until ? { until: new Date(o.until) } : {}),
      ...(o.key ? { key: o.key } : {}),
      ...(o.id ? { ids: o.id } : {}),
      ...(o.status ? { status: o.status } : {}),
      ...(o.limit ? { limit: o.limit } : {}),
    },
  };
}

function line(d: StoredDeadLetter): string {
  const state = d.resolvedAt
    ? 'resolved'
    : d.replayedAt
      ? `replayed x${d.replayCount}`
      : 'open';
  return [
    d.id,
    d.deadLetteredAt,
    d.flow ?? '-',
    d.documentKey ?? '-',
    d.billNo ?? '-',
    d.errorClass,
    state,
    `${d.fieldPath ? `${d.fieldPath}: ` : ''}${d.errorMessage}`,
  ].join('\t');
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseDlqArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const config = loadConfigOrExit(
    baseConfigSchema.extend({
      LOG_LEVEL: baseConfigSchema.shape.LOG_LEVEL.default('warn'),
    }),
  );
  const logger = createLogger('sink-kingdee-cli', config.LOG_LEVEL);
  const admin = new SinkAdminService({
    databaseUrl: config.DATABASE_URL,
    kafkaBrokers: config.KAFKA_BROKERS,
    logger,
    applicationName: 'sink-kingdee-cli',
  });
  try {
    if (args.command === 'list') {
      const rows = await admin.listDeadLetters(args.filter);
      for (const d of rows)
        process.stdout.write(`${args.json ? JSON.stringify(d) : line(d)}\n`);
      process.stderr.write(`${rows.length} dead letter(s)\n`);
      return;
    }
    const replayed = await admin.replay(args.filter, args.dryRun);
    for (const d of replayed) process.stdout.write(`${line(d)}\n`);
    process.stderr.write(
      `${args.dryRun ? 'would replay' : 'replayed'} ${replayed.length} dead letter(s)\n`,
    );
  } finally {
    await admin.close();
  }
}

if (process.argv[1] && /cli\.ts$/.test(process.argv[1])) {
  main().catch((err: unknown) => {
    process.stderr.write(
      `${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  });
}
