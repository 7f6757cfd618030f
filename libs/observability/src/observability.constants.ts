/** Injection token of the process's prom-client Registry. */
export const METRICS_REGISTRY = Symbol('kingbridge.metrics-registry');
/** Injection token of the resolved ObservabilityModuleOptions. */
export const OBSERVABILITY_OPTIONS = Symbol('kingbridge.observability-options');
