import type { TopicSpec } from '@kingbridge/contracts';
import { SOURCE_CONNECTORS } from './source-connectors';
import { sourceRegistry } from './source-registry';

export * from './source-connectors';
export * from './source-registry';

/** The registry of `SOURCE_CONNECTORS`. */
export const SOURCE_REGISTRY = sourceRegistry(SOURCE_CONNECTORS);
/** Every registered stream (platform, entity, raw topic domain and the API that lists it). */
export const SOURCE_STREAMS = SOURCE_REGISTRY.streams;
/** The raw topic of a registered platform's entity. */
export const rawTopic = (platform: string, entity: string): string =>
  SOURCE_REGISTRY.rawTopic(platform, entity);
/** Every topic, with partitions, created at start-up by every service. */
export const allTopics = (): TopicSpec[] => SOURCE_REGISTRY.allTopics();
/** A registered platform id. */
export const sourcePlatformIdSchema = SOURCE_REGISTRY.platformSchema;
/** An entity a registered platform serves. */
export const sourceEntityIdSchema = SOURCE_REGISTRY.entitySchema;
