import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * A fresh prom-client registry for one service: Node/process default metrics
 * plus a `service` label on every series. One per process; pass it to the
 * metric factories and to `ObservabilityModule.forRoot`.
 */
export function createMetricsRegistry(service: string): Registry {
  if (!/^[a-z][a-z0-9-]*$/.test(service)) {
    throw new Error(`service name "${service}" must be kebab-case`);
  }
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
