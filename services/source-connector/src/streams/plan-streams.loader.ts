import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { formatZodIssues, type SourcePlatform } from '@kingbridge/contracts';
import {
  sourceEntityIdSchema,
  sourcePlatformIdSchema,
} from '@kingbridge/source-registry';
import {
  type SourceStream,
  sourceStreamSchema,
} from '@kingbridge/source-runtime';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { filtersToParams } from './source-filter.util';

/**
 * The part of a sync plan this service reads: `source` (the transform
 * engine owns and validates the full plan; we read only what names a stream).
 */
const planSourceSchema = z.object({
  id: z.string().optional(),
  enabled: z.boolean().default(true),
  source: z
    .object({
      platform: sourcePlatformIdSchema,
      entity: sourceEntityIdSchema,
      stream: z.string().min(1),
      params: z
        .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
        .default({}),
      filters: z.array(z.unknown()).default([]),
      filterExit: z
        .object({
          query: z
            .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
            .optional(),
        })
        .passthrough()
        .optional(),
      pageSize: z.number().int().positive().optional(),
      schedule: z
        .object({ intervalSeconds: z.number().int().positive().optional() })
        .passthrough()
        .optional(),
      remediation: z
        .object({
          cron: z.string().default('0 0 * * *'),
          lookbackDays: z.number().int().positive().default(7),
        })
        .optional(),
    })
    .passthrough(),
});

/** Params the connector fills itself (paging and the time window). */
const MANAGED_PARAMS = new Set([
  'pageIndex',
  'pageSize',
  'page_no',
  'page_size',
  'page_index',
  'start_index',
  'count',
  'scrollId',
  'start_time',
  'end_time',
  'modified_begin',
  'modified_end',
  'startModified',
  'endModified',
  'gmtModifiedStart',
  'gmtModifiedEnd',
  'startConsignTime',
  'endConsignTime',
]);

export class StreamConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`invalid stream configuration:\n  - ${issues.join('\n  - ')}`);
    this.name = 'StreamConfigError';
  }
}

/** Streams of `platform` named by the plans in `dir` (one stream per distinct `source.stream`). */
export async function loadPlanStreams(
  dir: string,
  platform: SourcePlatform,
): Promise<SourceStream[]> {
  let names: string[];
  try {
    names = (await readdir(dir))
      .filter((n) => ['.yaml', '.yml', '.json'].includes(extname(n)))
      .sort();
  } catch (err) {
    throw new StreamConfigError([
      `PLANS_DIR: cannot read ${dir} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
  const issues: string[] = [];
  const streams = new Map<string, { stream: SourceStream; file: string }>();
  for (const name of names) {
    const file = join(dir, name);
    let doc: unknown;
    try {
      doc = parseYaml(await readFile(file, 'utf8'));
    } catch (err) {
      issues.push(`${file}: ${(err as Error).message}`);
      continue;
    }
    const parsed = planSourceSchema.safeParse(doc);
    if (!parsed.success) {
      issues.push(`${file}: ${formatZodIssues(parsed.error)}`);
      continue;
    }
    const source = parsed.data.source;
    // A disabled plan's stream is not pulled (the transform does not run its flow either).
    if (source.platform !== platform || !parsed.data.enabled) continue;
    const params: Record<string, string | number | boolean> = {};
    let timeFrom: string | undefined;
    let timeTo: string | undefined;
    for (const [k, v] of Object.entries(source.params)) {
      // The window bounds are the params templated with LAST_SYNC_TIME / CURRENT_TIME.
      if (typeof v === 'string' && v.includes('LAST_SYNC_TIME')) timeFrom = k;
      if (typeof v === 'string' && v.includes('CURRENT_TIME')) timeTo = k;
      if (MANAGED_PARAMS.has(k) || (typeof v === 'string' && v.includes('{{')))
        continue;
      params[k] = v;
    }
    const exitQuery = source.filterExit?.query;
    const managed = Object.keys(exitQuery ?? {}).filter(
      (k) => MANAGED_PARAMS.has(k) || k === timeFrom || k === timeTo,
    );
    if (exitQuery && Object.keys(exitQuery).length === 0) {
      issues.push(
        `${file}: source.filterExit.query: empty (name the params that fetch what leaves the filter, e.g. status: '5')`,
      );
      continue;
    }
    if (managed.length > 0) {
      issues.push(
        `${file}: source.filterExit.query: ${managed.join(', ')} ${managed.length > 1 ? 'are' : 'is'} filled by the connector (paging and the time window); the exit query reads the same window`,
      );
      continue;
    }
    const candidate = {
      id: source.stream,
      platform: source.platform,
      entity: source.entity,
      params: {
        ...params,
        ...filtersToParams(source.filters),
      },
      pageSize: source.pageSize,
      // Read on the same window after the main query, so what left the filter (a cancellation) is seen too.
      ...(exitQuery ? { exitQueries: [exitQuery] } : {}),
      ...(source.schedule?.intervalSeconds
        ? { pollIntervalSeconds: source.schedule.intervalSeconds }
        : {}),
      ...(timeFrom && timeTo
        ? { timeParams: { from: timeFrom, to: timeTo } }
        : {}),
      ...(source.remediation
        ? {
            remediationCron: source.remediation.cron,
            remediationDays: source.remediation.lookbackDays,
          }
        : {}),
    };
    const stream = sourceStreamSchema.safeParse(candidate);
    if (!stream.success) {
      issues.push(`${file}: source: ${formatZodIssues(stream.error)}`);
      continue;
    }
    const existing = streams.get(stream.data.id);
    if (
      existing &&
      JSON.stringify(existing.stream) !== JSON.stringify(stream.data)
    ) {
      issues.push(
        `${file}: source.stream: '${stream.data.id}' is also defined differently in ${existing.file}`,
      );
      continue;
    }
    streams.set(stream.data.id, { stream: stream.data, file });
  }
  if (issues.length > 0) throw new StreamConfigError(issues);
  return [...streams.values()].map((s) => s.stream);
}

/** `SOURCE_STREAMS` (JSON array of streams) for tests and ad-hoc runs. */
export function parseStreamsJson(
  text: string,
  platform: SourcePlatform,
): SourceStream[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StreamConfigError(['SOURCE_STREAMS: not JSON']);
  }
  const parsed = z.array(sourceStreamSchema).safeParse(json);
  if (!parsed.success)
    throw new StreamConfigError([
      `SOURCE_STREAMS: ${formatZodIssues(parsed.error)}`,
    ]);
  const wrong = parsed.data.filter((s) => s.platform !== platform);
  if (wrong.length > 0) {
    throw new StreamConfigError([
      `SOURCE_STREAMS: streams ${wrong.map((s) => s.id).join(', ')} are not ${platform} streams`,
    ]);
  }
  return parsed.data;
}
