import {
  isWindowReplay,
  type RawTopicMessage,
  rawTopicMessageSchema,
  rawTopicName,
  SOURCE_ENTITY_ID,
  SOURCE_PLATFORM_ID,
  type SourceStreamSpec,
  type TopicSpec,
  topicsOf,
} from '@kingbridge/contracts';
import type { SourceConnectorSpec } from '@kingbridge/source-kit';
import { z } from 'zod';

/** The registered source platforms and their streams, read from their connector specs. */
export interface SourceRegistry {
  readonly connectors: readonly SourceConnectorSpec[];
  /** Every stream, one per platform and entity, in the registry's order. */
  readonly streams: readonly SourceStreamSpec[];
  /** The platform ids, in the registry's order. */
  readonly platforms: readonly string[];
  /** The stream of a platform's entity, or undefined. */
  stream(platform: string, entity: string): SourceStreamSpec | undefined;
  /** The raw topic of a registered stream (`<domain>.<platform>.<entity>.raw.v1`); throws for an unknown one. */
  rawTopic(platform: string, entity: string): string;
  /** Every topic of the registered streams, with partitions and dead-letter topics (created by every service). */
  allTopics(): TopicSpec[];
  /** A registered platform id (what a plan's or a stream's `platform` must be). */
  readonly platformSchema: z.ZodType<string>;
  /** An entity some registered platform serves (what a plan's or a stream's `entity` must be). */
  readonly entitySchema: z.ZodType<string>;
  /**
   * A raw topic's message (`rawTopicMessageSchema` of the contracts) whose record is of a registered stream: a
   * record of a platform or entity no connector serves is refused at `platform`, so it goes to the dead-letter topic
   * with that reason.
   */
  readonly rawTopicMessageSchema: z.ZodType<RawTopicMessage>;
}

/** The distinct values, in their first order, as the non-empty tuple `z.enum` takes. */
function distinct(values: readonly string[]): [string, ...string[]] {
  const [first, ...rest] = [...new Set(values)];
  if (first === undefined)
    throw new Error('source registry: no platform is registered');
  return [first, ...rest];
}

/**
 * A registry over these connector specs. A spec that breaks what the wire relies on (an id or entity of the wrong
 * form, a platform registered twice, an entity listed twice, a platform without streams) throws here, naming it.
 */
export function sourceRegistry(
  connectors: readonly SourceConnectorSpec[],
): SourceRegistry {
  const problems: string[] = [];
  const seen = new Set<string>();
  const streams: SourceStreamSpec[] = [];
  // platform/entity -> stream: the duplicate check here, and the per-record lookup of the transform's schema.
  const byKey = new Map<string, SourceStreamSpec>();
  for (const c of connectors) {
    if (!SOURCE_PLATFORM_ID.test(c.id))
      problems.push(`${c.id}: a platform id is lower-case letters and digits`);
    if (seen.has(c.id)) problems.push(`${c.id}: registered twice`);
    seen.add(c.id);
    if (c.streams.length === 0) problems.push(`${c.id}: serves no stream`);
    for (const s of c.streams) {
      const key = `${c.id}/${s.entity}`;
      if (!SOURCE_ENTITY_ID.test(s.entity))
        problems.push(`${key}: an entity is lower-case words joined by -`);
      if (byKey.has(key)) problems.push(`${key}: listed twice`);
      const spec = { platform: c.id, ...s };
      byKey.set(key, spec);
      streams.push(spec);
    }
  }
  if (problems.length > 0)
    throw new Error(`source registry: ${problems.join('; ')}`);
  const stream = (platform: string, entity: string) =>
    byKey.get(`${platform}/${entity}`);
  return {
    connectors,
    streams,
    platforms: connectors.map((c) => c.id),
    stream,
    rawTopic(platform, entity) {
      const s = stream(platform, entity);
      if (!s)
        throw new Error(
          `no raw topic for platform=${platform} entity=${entity}: no registered connector serves it`,
        );
      return rawTopicName(s);
    },
    allTopics: () => topicsOf(streams),
    platformSchema: z.enum(distinct(connectors.map((c) => c.id))),
    entitySchema: z.enum(distinct(streams.map((s) => s.entity))),
    rawTopicMessageSchema: rawTopicMessageSchema.superRefine((m, ctx) => {
      if (!isWindowReplay(m) && !stream(m.platform, m.entity))
        ctx.addIssue({
          code: 'custom',
          path: ['platform'],
          message: `no registered connector serves ${m.platform} ${m.entity}`,
        });
    }),
  };
}
