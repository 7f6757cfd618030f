/**
 * Plan tool for plan authors (no Kafka, no database):
 *   tsx scripts/plan.ts validate [dir|file]       check one plan file or every plan in dir (default plans/)
 *   tsx scripts/plan.ts dry-run <plan> <records.ndjson|json> [--lookups tables.json] [--now <time>] [--pretty]
 * dry-run prints one JSON line per record outcome and per outbound document, then one
 * `request` line per Kingdee call the sink would make (formid, options such as
 * IsAutoSubmitAndAudit, the Model array and the bill numbers). Records may be raw envelopes or
 * bare payloads (their sourceId is the plan's idField, the id the connector publishes). A
 * non-object record, a records file that is not JSON / NDJSON (file:line) and a plan that is
 * not valid YAML (file:line) are errors: exit 1. Merge windows are flushed at the end as if
 * their watermark had passed. Every `_findCollection` table, the plan's `lookups:` tables that
 * the transform reads from K3Cloud included, comes from the --lookups file.
 */
import { readFile, stat } from 'node:fs/promises';
import {
  InputFileError,
  UsageError,
  parseCliArgs,
  parseJsonText,
  readTextFile,
  runCliCommand,
  runIfStartedAs,
} from '@kingbridge/config';
import {
  rawRecordSchema,
  formatZodIssues,
  type OutboundDocument,
  type RawRecord,
} from '@kingbridge/contracts';
import { contentHash } from '@kingbridge/pipeline-core';
import {
  InMemoryLookupProvider,
  PlanValidationError,
  compileFlow,
  loadPlans,
  parsePlan,
} from '@kingbridge/transform-engine';
import { timeOption } from './operator-options';
import { readLookupTablesFile } from './lookups';
import { requestEnvelopes } from './plan-request-envelope';

/** A records file that cannot be read as JSON or NDJSON, with where. */

export const PLAN_USAGE =
  "usage:\n  tsx scripts/plan.ts validate [dir|plan file]\n  tsx scripts/plan.ts dry-run <plan.yaml> <records.ndjson|json> [--lookups tables.json] [--now T] [--pretty]\n  --now: the clock of the dry run (ISO-8601 with an offset, 'yyyy-MM-dd[ HH:mm[:ss]]' in Beijing time, or now-1h)";

/** The records of a JSON array or NDJSON file; a bad file is an InputFileError naming `file:line`. */
async function readRecords(file: string): Promise<unknown[]> {
  const text = await readTextFile(file);
  if (text.trim().startsWith('[')) {
    const records = parseJsonText(file, text);
    if (!Array.isArray(records))
      throw new InputFileError(`${file}: not a JSON array of records`);
    return records as unknown[];
  }
  const records: unknown[] = [];
  text.split('\n').forEach((l, i) => {
    if (l.trim() === '') return;
    try {
      records.push(JSON.parse(l) as unknown);
    } catch (err) {
      throw new InputFileError(
        `${file}:${i + 1}: not a JSON record (${(err as Error).message})`,
      );
    }
  });
  return records;
}

/** Accepts full raw envelopes, or bare payloads (wrapped with the plan's source). */
function toRaw(
  input: unknown,
  plan: ReturnType<typeof parsePlan>,
  index: number,
  now: string,
): RawRecord {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw new Error(
      `record ${index}: a record is a JSON object, not ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`,
    );
  const candidate = rawRecordSchema.safeParse(input);
  if (candidate.success) return candidate.data;
  const payload = input as Record<string, unknown>;
  if ('schemaVersion' in payload) {
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

/** One plan file or every plan of a folder. */
async function validate(path: string): Promise<number> {
  try {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new UsageError(`no such file or folder: ${path}`);
    const plans = info.isDirectory()
      ? await loadPlans(path)
      : [{ file: path, plan: parsePlan(await readFile(path, 'utf8'), path) }];
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
  const { values, positionals } = parseCliArgs(args, {
    allowPositionals: true,
    options: {
      lookups: { type: 'string' },
      now: { type: 'string' },
      pretty: { type: 'boolean', default: false },
    },
  });
  const lookupsFile = values.lookups;
  const nowText = values.now;
  const pretty = values.pretty;
  const [planFile, recordsFile, extra] = positionals;
  if (!planFile || !recordsFile)
    throw new UsageError('dry-run needs <plan.yaml> and <records file>');
  if (extra !== undefined) throw new UsageError(`unexpected argument ${extra}`);
  const nowMs = nowText ? timeOption('now', nowText) : Date.now();
  const now = new Date(nowMs).toISOString();
  let plan;
  try {
    plan = parsePlan(await readTextFile(planFile), planFile);
  } catch (err) {
    if (err instanceof PlanValidationError) {
      process.stderr.write(`${err.issues.join('\n')}\n`);
      return 1;
    }
    throw err;
  }
  const tables = lookupsFile ? await readLookupTablesFile(lookupsFile) : {};
  const lookups = new InMemoryLookupProvider(tables);
  const flow = compileFlow(plan, { lookups, clock: () => nowMs });
  const out = (line: unknown) =>
    process.stdout.write(
      `${JSON.stringify(line, null, pretty ? 2 : undefined)}\n`,
    );
  let failures = 0;
  const documents: OutboundDocument[] = [];
  let inputs: unknown[];
  try {
    inputs = await readRecords(recordsFile);
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    out({ kind: 'error', errorClass: 'schema', message: err.message });
    return 1;
  }
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
        result.documents.forEach((document) => {
          documents.push(document);
          out({ kind: 'document', document });
        });
        break;
    }
  }
  // End of input: flush every open window as if the watermark had passed it.
  for (const key of flow.openWindows()) {
    const emitted = flow.emitWindow(key);
    if ('document' in emitted) {
      documents.push(emitted.document);
      out({ kind: 'document', document: emitted.document });
      flow.markEmitted(key);
    } else if ('empty' in emitted) {
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
  for (const envelope of await requestEnvelopes(documents))
    out({ kind: 'request', ...envelope });
  return failures > 0 ? 1 : 0;
}

/** `plan validate [dir|file]` | `plan dry-run ...`; returns the exit code (1: a problem found, 2: usage). */
export function run(argv: readonly string[]): Promise<number> {
  return runCliCommand(argv, { name: 'plan', usage: PLAN_USAGE }, (a) =>
    plan(a),
  );
}

async function plan(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command?.startsWith('-'))
    throw new UsageError(
      `unknown option ${command} (give the command first: validate or dry-run)`,
    );
  if (command === 'validate') {
    const { positionals } = parseCliArgs(args, { allowPositionals: true });
    if (positionals.length > 1)
      throw new UsageError(`unexpected argument ${positionals[1]}`);
    return validate(positionals[0] ?? 'plans');
  }
  if (command === 'dry-run') return dryRun(args);
  throw new UsageError(
    command === undefined
      ? 'give a command: validate or dry-run'
      : `unknown command ${command}`,
  );
}

runIfStartedAs('scripts/plan', 'plan', run);
