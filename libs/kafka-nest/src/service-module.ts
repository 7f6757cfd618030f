import {
  METRICS_REGISTRY,
  ObservabilityModule,
  ReadinessRegistry,
  type Logger,
} from '@kingbridge/observability';
import {
  Inject,
  Injectable,
  Module,
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

/** What a service's root module declares: its name, the tokens of its config and logger, and its own parts. */
export interface ServiceAppModuleSpec<C> {
  /** kebab-case service name: the `service` label of every metric. */
  readonly service: string;
  readonly configToken: symbol;
  readonly loggerToken: symbol;
  /** The admin endpoints' bearer token from the config; unset = they answer 401. */
  adminToken?(config: C): string | undefined;
  /** The service's own imports, controllers and providers. */
  parts(
    config: C,
    logger: Logger,
  ): Pick<DynamicModule, 'imports' | 'controllers' | 'providers'>;
}

/** A service's root module class: `forRoot(config, logger)` builds it with `serviceModule`. */
export interface ServiceAppModule<C> extends Type<unknown> {
  forRoot(config: C, logger: Logger): DynamicModule;
}

/** The root module (`AppModule`) of a service whose `forRoot` takes its config and logger. */
export function serviceAppModule<C>(
  spec: ServiceAppModuleSpec<C>,
): ServiceAppModule<C> {
  @Module({})
  class AppModule {
    static forRoot(config: C, logger: Logger): DynamicModule {
      return serviceModule(AppModule, {
        ...spec.parts(config, logger),
        service: spec.service,
        adminToken: spec.adminToken?.(config),
        config: { token: spec.configToken, value: config },
        logger: { token: spec.loggerToken, value: logger },
      });
    }
  }
  return AppModule;
}
