import {
  METRICS_REGISTRY,
  ObservabilityModule,
  ReadinessRegistry,
  type Logger,
} from '@kingbridge/observability';
import {
  Inject,
  Injectable,
  type DynamicModule,
  type Type,
} from '@nestjs/common';
import type { Registry } from 'prom-client';

/** The service's logger as `ServiceContext` gets it (`serviceModule` provides it). */
export const SERVICE_LOGGER = Symbol('SERVICE_LOGGER');

/** What the host gives every service's code: its logger, the metrics registry and the readiness checks. */
@Injectable()
export class ServiceContext {
  constructor(
    @Inject(SERVICE_LOGGER) readonly logger: Logger,
    @Inject(METRICS_REGISTRY) readonly registry: Registry,
    @Inject(ReadinessRegistry) readonly readiness: ReadinessRegistry,
  ) {}
}

/** A value provided under the service's own token (`SINK_KINGDEE_CONFIG`, `TRANSFORM_LOGGER`, …). */
export interface Provided<T> {
  readonly token: symbol;
  readonly value: T;
}

export interface ServiceModuleOptions extends Pick<
  DynamicModule,
  'imports' | 'controllers' | 'providers'
> {
  /** kebab-case service name: the `service` label of every metric. */
  readonly service: string;
  /** Bearer token of the admin endpoints; unset = they answer 401. */
  readonly adminToken?: string | undefined;
  readonly config: Provided<unknown>;
  readonly logger: Provided<Logger>;
}

/**
 * A service's root module, built the same way for every service: /metrics and /health (ObservabilityModule),
 * its config and logger under its own tokens, `ServiceContext`, then its own imports, controllers and providers.
 */
export function serviceModule(
  module: Type<unknown>,
  options: ServiceModuleOptions,
): DynamicModule {
  const { config, logger, adminToken } = options;
  return {
    module,
    imports: [
      ObservabilityModule.forRoot({
        service: options.service,
        ...(adminToken !== undefined ? { adminToken } : {}),
      }),
      ...(options.imports ?? []),
    ],
    controllers: options.controllers ?? [],
    providers: [
      { provide: config.token, useValue: config.value },
      { provide: logger.token, useValue: logger.value },
      { provide: SERVICE_LOGGER, useValue: logger.value },
      ServiceContext,
      ...(options.providers ?? []),
    ],
  };
}
