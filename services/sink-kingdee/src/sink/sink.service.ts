import {
  METRICS_REGISTRY,
  ReadinessRegistry,
  type Logger,
} from '@kingbridge/observability';
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Registry } from 'prom-client';
import {
  SINK_KINGDEE_CONFIG,
  type SinkKingdeeConfig,
} from '../sink-kingdee.config';
import { SINK_LOGGER } from '../sink-kingdee.tokens';
import { SinkRuntime } from './sink-runtime';

/**
 * Starts the sink runtime after the HTTP server is up (so /health answers
 * while Postgres or Kafka are still coming) and stops it on shutdown:
 * in-flight batches finish and commit what has a durable outcome.
 */
@Injectable()
export class SinkService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private runtime: SinkRuntime | undefined;
  private starting: Promise<void> | undefined;
  private stopping = false;

  constructor(
    @Inject(SINK_KINGDEE_CONFIG) private readonly config: SinkKingdeeConfig,
    @Inject(SINK_LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.runtime = new SinkRuntime({
      config: this.config,
      logger: this.logger,
      registry: this.registry,
    });
    this.readiness.register({
      name: 'sink',
      check: () =>
        this.runtime?.health() ?? { ready: false, reason: 'not started' },
    });
    this.starting = this.runtime.start().catch((err: unknown) => {
      if (this.stopping) return;
      this.logger.fatal(
        { err: err instanceof Error ? err.message : String(err) },
        'sink failed to start',
      );
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.runtime?.stop();
    await this.starting;
    this.logger.info({}, 'sink stopped');
  }
}
