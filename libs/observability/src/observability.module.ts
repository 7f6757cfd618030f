import {
  Module,
  type DynamicModule,
  type FactoryProvider,
  type InjectionToken,
  type ModuleMetadata,
  type Provider,
} from '@nestjs/common';
import type { Registry } from 'prom-client';
import { ADMIN_TOKEN } from './admin-token.guard';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { createMetricsRegistry } from './metrics-registry';
import {
  METRICS_REGISTRY,
  OBSERVABILITY_OPTIONS,
} from './observability.constants';
import { ReadinessRegistry, type ReadinessCheck } from './readiness.registry';

export interface ObservabilityModuleOptions {
  /** kebab-case service name, the `service` label of every metric. */
  readonly service: string;
  /** Default: a new `createMetricsRegistry(service)`. */
  readonly registry?: Registry;
  /** Checks behind `/health/ready`; more can be added via ReadinessRegistry. */
  readonly readinessChecks?: readonly ReadinessCheck[];
  /** Per-check timeout of `/health/ready` (default 3000 ms). */
  readonly readinessTimeoutMs?: number;
  /** Bearer token of admin endpoints (`AdminTokenGuard`); unset = admin endpoints answer 401. */
  readonly adminToken?: string;
}

export interface ObservabilityModuleAsyncOptions {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: InjectionToken[];
  readonly useFactory: (
    ...args: never[]
  ) => ObservabilityModuleOptions | Promise<ObservabilityModuleOptions>;
}

/**
 * `/metrics`, `/health/live` and `/health/ready` for a Nest HTTP app.
 * Global: `METRICS_REGISTRY` and `ReadinessRegistry` are injectable
 * everywhere (`@Inject(METRICS_REGISTRY) registry: Registry`).
 */
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityModuleOptions): DynamicModule {
    return ObservabilityModule.build([
      { provide: OBSERVABILITY_OPTIONS, useValue: options },
    ]);
  }

  static forRootAsync(options: ObservabilityModuleAsyncOptions): DynamicModule {
    const optionsProvider: FactoryProvider<ObservabilityModuleOptions> = {
      provide: OBSERVABILITY_OPTIONS,
      inject: options.inject ?? [],
      useFactory: options.useFactory as (
        ...args: unknown[]
      ) => ObservabilityModuleOptions,
    };
    return ObservabilityModule.build([optionsProvider], options.imports);
  }

  private static build(
    optionsProviders: Provider[],
    imports: ModuleMetadata['imports'] = [],
  ): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      imports,
      controllers: [MetricsController, HealthController],
      providers: [
        ...optionsProviders,
        {
          provide: METRICS_REGISTRY,
          inject: [OBSERVABILITY_OPTIONS],
          useFactory: (o: ObservabilityModuleOptions): Registry =>
            o.registry ?? createMetricsRegistry(o.service),
        },
        {
          provide: ReadinessRegistry,
          inject: [OBSERVABILITY_OPTIONS],
          useFactory: (o: ObservabilityModuleOptions): ReadinessRegistry =>
            new ReadinessRegistry(
              o.readinessChecks ?? [],
              o.readinessTimeoutMs,
            ),
        },
        {
          provide: ADMIN_TOKEN,
          inject: [OBSERVABILITY_OPTIONS],
          useFactory: (o: ObservabilityModuleOptions): string | undefined =>
            o.adminToken,
        },
      ],
      exports: [METRICS_REGISTRY, ReadinessRegistry, ADMIN_TOKEN],
    };
  }
}
