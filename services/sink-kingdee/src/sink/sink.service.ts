import { BackgroundService, ServiceContext } from '@kingbridge/kafka-nest';
import { Inject, Injectable } from '@nestjs/common';
import {
  SINK_KINGDEE_CONFIG,
  type SinkKingdeeConfig,
} from '../sink-kingdee.config';
import { SinkRuntime } from './sink-runtime';

/**
 * Starts the sink runtime after the HTTP server is up (so /health answers
 * while Postgres or Kafka are still coming) and stops it on shutdown:
 * in-flight batches finish and commit what has a durable outcome.
 */
@Injectable()
export class SinkService extends BackgroundService {
  private runtime: SinkRuntime | undefined;

  constructor(
    @Inject(SINK_KINGDEE_CONFIG) private readonly config: SinkKingdeeConfig,
    @Inject(ServiceContext) private readonly context: ServiceContext,
  ) {
    super(context.logger, 'exit', 'sink failed to start');
  }

  protected prepare(): 'start' {
    this.runtime = new SinkRuntime({
      config: this.config,
      logger: this.logger,
      registry: this.context.registry,
    });
    this.context.readiness.register({
      name: 'sink',
      check: () =>
        this.runtime?.health() ?? { ready: false, reason: 'not started' },
    });
    return 'start';
  }

  protected async start(): Promise<void> {
    await this.runtime?.start();
  }

  /** The runtime's stop aborts a start still waiting for Postgres or Kafka. */
  protected async stop(started: Promise<void>): Promise<void> {
    await this.runtime?.stop();
    await started;
    this.logger.info({}, 'sink stopped');
  }
}
