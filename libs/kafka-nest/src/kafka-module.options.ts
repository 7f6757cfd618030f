import type { TopicSpec } from '@kingbridge/contracts';
import type { Logger } from '@kingbridge/observability';
import type { BackoffPolicy } from '@kingbridge/pipeline-core';
import type { ModuleMetadata } from '@nestjs/common';
import type { Registry } from 'prom-client';

export interface KafkaModuleOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  /** Written into dead letters. */
  readonly service: string;
  readonly flow?: string;
  /** Topics ensured at start-up, in the background (default: none; pass allTopics()). */
  readonly topics?: readonly TopicSpec[];
  /** Default retry policy of batch handlers. */
  readonly retry?: BackoffPolicy;
  /** Metrics registry (default: prom-client's global register). */
  readonly registry?: Registry;
}

export interface KafkaModuleAsyncOptions extends Pick<
  ModuleMetadata,
  'imports'
> {
  // Nest's own factory typing: injected values are positional and untyped.
  readonly useFactory: (
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    ...args: any[]
  ) => KafkaModuleOptions | Promise<KafkaModuleOptions>;
  readonly inject?: ReadonlyArray<
    string | symbol | (abstract new (...args: never[]) => unknown)
  >;
}
