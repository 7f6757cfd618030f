/**
 * Plan tool for plan authors (no Kafka, no database):
 *   tsx scripts/plan.ts validate [dir]            check every plan in dir (default plans/)
 *   tsx scripts/plan.ts dry-run <plan> <records.ndjson|json> [--lookups tables.json] [--now <iso>] [--pretty]
 * dry-run prints one JSON line per record outcome and per outbound document (exit 1 when
 * any record failed); records may be raw envelopes or bare payloads. Merge windows are
 * flushed at the end as if their watermark had passed.
 */
import { readFile } from 'node:fs/promises';
import {
  rawRecordSchema,
  formatZodIssues,
  type RawRecord,
} from '@kingbridge/contracts';
import { contentHash } from '@kingbridge/pipeline-core';
import {
  InMemoryLookupProvider,
  PlanValidationError,
  compileFlow,
  loadPlans,
  parsePlan,
  type LookupRow,
} from '@kingbridge/transform-engine';

function usage(): never {
  process.stderr.write(
    'usage:\n  tsx scripts/plan.ts validate [dir]\n  tsx scripts/plan.ts dry-run <plan.yaml> <records.ndjson|json> [--lookups tables.json] [--now ISO] [--pretty]\n',
  );
  process.exit(2);
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined) usage();
  args.splice(i, 2);
  return value;
}

async function readRecords(file: string): Promise<unknown[]> {
  const text = await readFile(file, 'utf8');
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as unknown[];
  return trimmed
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}

/** Accepts full raw envelopes, or bare payloads (wrapped with the plan's source). */
function toRaw(
  input: unknown,
  plan: ReturnType<typeof parsePlan>,
  index: number,
  now: string,
): RawRecord {
  const candidate = rawRecordSchema.safeParse(input);
  if (candidate.success) return candidate.data;
  const payload = input as Record<string, unknown>;
  if (
    payload === null ||
    typeof payload !== 'object' ||
    'schemaVersion' in payload
  ) {
    throw new Error(
      `record ${index}: ${candidate.success ? '' : formatZodIssues(candidate.error)}`,
    );
  }
  // Bare payloads may be PascalCase (the plan then normalises keys): try both spellings.
  const id = plan.source.idField.split('.').reduce<unknown>((o, k) => {
    const obj = o as Record<string, unknown> | undefined;
    return obj?.[k] ?? obj?.[k.charAt(0).toUpperCase() + k.slice(1)];
  }, payload);
  return {
    schemaVersion: 1,
    platform: plan.source.platform,
    entity: plan.source.entity,
    stream: plan.source.stream,
    sourceId: String(id ?? `record-${index}`),
    modifiedAt: now,
    contentHash: contentHash(payload),
    payload,
    runId: 'dry-run',
    fetchedAt: now,
  };
}

async function validate(dir: string): Promise<number> {
  try {
    const plans = await loadPlans(dir);
    for (const { file, plan } of plans) {
      process.stdout.write(
        `ok  ${file}  ${plan.id}  ${plan.source.stream} -> ${plan.target.system} ${plan.target.formId}\n`,
      );
    }
    process.stdout.write(`${plans.length} plan(s) valid\n`);
    return 0;
  } catch (err) {
    if (err instanceof PlanValidationError) {
      process.stderr.write(`${err.issues.join('\n')}\n`);
      return 1;
    }
    throw err;
  }
}

async function dryRun(args: string[]): Promise<number> {
  const lookupsFile = option(args, '--lookups');
  const nowText = option(args, '--now');
  const pretty = args.includes('--pretty');
  if (pretty) args.splice(args.indexOf('--pretty'), 1);
  const [planFile, recordsFile] = args;
  if (!planFile || !recordsFile) usage();
  const nowMs = nowText ? Date.parse(nowText) : Date.now();
  if (Number.isNaN(nowMs)) usage();
  const now = new Date(nowMs).toISOString();
  let plan;
  try {
    plan = parsePlan(await readFile(planFile, 'utf8'), planFile);
  } catch (err) {
    if (err instanceof PlanValidationError) {
      process.stderr.write(`${err.issues.join('\n')}\n`);
      return 1;
    }
    throw err;
  }
  const tables = lookupsFile
    ? (JSON.parse(await readFile(lookupsFile, 'utf8')) as Record<
        string,
        LookupRow[]
      >)
    : {};
  const lookups = new InMemoryLookupProvider(tables);
  const flow = compileFlow(plan, { lookups, clock: () => nowMs });
  const out = (line: unknown) =>
    process.stdout.write(
      `${JSON.stringify(line, null, pretty ? 2 : undefined)}\n`,
    );
  let failures = 0;
  const inputs = await readRecords(recordsFile);
  for (const [i, input] of inputs.entries()) {
    let raw: RawRecord;
    try {
      raw = toRaw(input, plan, i, now);
    } catch (err) {
      failures += 1;
      out({
        kind: 'error',
        record: i,
        errorClass: 'schema',
        message: (err as Error).message,
      });
      continue;
    }
    if (!flow.accepts(raw)) {
      out({
        kind: 'skipped',
        record: i,
        sourceId: raw.sourceId,
        reason: `stream ${raw.stream} is not ${plan.source.stream}`,
      });
      continue;
    }
    await lookups.preload(flow.lookupQueries(raw));
    const result = flow.process(raw);
    switch (result.outcome) {
      case 'filtered':
        out({
          kind: 'filtered',
          record: i,
          sourceId: raw.sourceId,
          reason: result.reason,
        });
        break;
      case 'failed':
        failures += 1;
        out({
          kind: 'error',
          record: i,
          sourceId: raw.sourceId,
          errorClass: result.error.errorClass,
          fieldPath: result.error.fieldPath,
          message: result.error.message,
        });
        break;
      case 'merged':
        out({
          kind: 'merged',
          record: i,
          sourceId: raw.sourceId,
          status: result.status,
          window: result.windowKey,
        });
        break;
      case 'mapped':
        result.documents.forEach((document) =>
          out({ kind: 'document', document }),
        );
        break;
    }
  }
  // End of input: flush every open window as if the watermark had passed it.
  for (const key of flow.dueWindows(Number.MAX_SAFE_INTEGER)) {
    const emitted = flow.emitWindow(key);
    if ('document' in emitted) {
      out({ kind: 'document', document: emitted.document });
      flow.markEmitted(key);
    } else {
      failures += 1;
      out({
        kind: 'error',
        window: key,
        sourceIds: emitted.sourceIds,
        errorClass: emitted.error.errorClass,
        fieldPath: emitted.error.fieldPath,
        message: emitted.error.message,
      });
    }
  }
  return failures > 0 ? 1 : 0;
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'validate') return validate(args[0] ?? 'plans');
  if (command === 'dry-run') return dryRun(args);
  usage();
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
