import {
  createLogger,
  NestLoggerAdapter,
  type Logger,
} from '@kingbridge/observability';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

/** What one service process hosts: its root module, its HTTP address and what its start line says. */
export interface NestServiceOptions {
  readonly logger: Logger;
  readonly module: DynamicModule;
  readonly port: number;
  readonly host: string;
  /** Extra fields of the `http listening` log line (flow-independent facts: targets, topic, plans dir). */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/**
 * Starts a service the same way for every NestJS service: our JSON logger for Nest's own lines, shutdown hooks
 * (SIGTERM drains consumers and commits what is done), HTTP (health, metrics, admin) on the configured address,
 * and one `http listening` line with the port actually bound.
 */
export async function startNestService(
  options: NestServiceOptions,
): Promise<INestApplication> {
  const app = await NestFactory.create(options.module, {
    logger: new NestLoggerAdapter(options.logger),
  });
  app.enableShutdownHooks();
  await app.listen(options.port, options.host);
  const address = app.getHttpServer().address() as { port: number } | null;
  options.logger.info(
    { ...options.fields, port: address?.port ?? options.port },
    'http listening',
  );
  return app;
}

/** The settings every service's config schema has. */
export interface HostedServiceConfig {
  readonly LOG_LEVEL: string;
  readonly HTTP_HOST: string;
  readonly HTTP_PORT?: number | undefined;
}

/** One NestJS service process, declared: its config, its root module, and what its start line says. */
export interface NestServiceSpec<C extends HostedServiceConfig> {
  /** The service's name in logs (`transform`, `sink-kingdee`, ...). */
  readonly name: string | ((config: C) => string);
  /** Parses the environment; a bad config stops the process naming the field (`loadConfigOrExit`). */
  config(): C;
  /** The root module; may check the service's own inputs first (plans, streams) and exit naming them. */
  module(config: C, logger: Logger): DynamicModule | Promise<DynamicModule>;
  /** The HTTP port; default `HTTP_PORT` (a start without either fails, naming it). */
  port?(config: C): number;
  fields?(config: C): Readonly<Record<string, unknown>>;
}

/**
 * Runs a service: config, JSON logger, module, `startNestService`. A start that throws (a broker or database
 * that never answered, a port in use) is one fatal log line and exit code 1, not an unhandled rejection.
 */
export function runNestService<C extends HostedServiceConfig>(
  spec: NestServiceSpec<C>,
): void {
  let logger: Logger | undefined;
  const start = async (): Promise<void> => {
    const config = spec.config();
    const name = typeof spec.name === 'string' ? spec.name : spec.name(config);
    logger = createLogger(name, config.LOG_LEVEL);
    await startNestService({
      logger,
      module: await spec.module(config, logger),
      port: spec.port ? spec.port(config) : httpPortOf(name, config),
      host: config.HTTP_HOST,
      ...(spec.fields ? { fields: spec.fields(config) } : {}),
    });
  };
  start().catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    if (logger) logger.fatal({ err: message }, 'failed to start');
    else process.stderr.write(`failed to start: ${message}\n`);
    process.exit(1);
  });
}

function httpPortOf(service: string, config: HostedServiceConfig): number {
  if (config.HTTP_PORT === undefined)
    throw new Error(`${service}: HTTP_PORT is not set`);
  return config.HTTP_PORT;
}
