/**
 * Shared simulator HTTP framework (node:http, no Nest).
 *
 * - `startSimServer(spec, {host, port})` runs one simulator (every source and Kingdee simulator; the request
 *   pipeline is middleware, `sim-middleware.ts`: admission limits, then faults, then the handler): parses the request (`SimRequest`, with the
 *   form body already parsed), applies seeded fault injection (`FaultInjector`: latency, reset, hang,
 *   5xx, platform error envelope via `spec.platformError`, lost response after the handler ran, garbled
 *   body), calls `spec.handle` (a handler may report its own injected fault via `SimResult.fault`),
 *   logs every request (`RequestLog`) and serves `/__admin/*` when enabled
 *   (built-ins: GET/POST faults, GET requests, GET stats, POST reset; add more with `adminRoutes`).
 * - Helpers: `createPrng`/`hashUnit` (deterministic randomness), `SlidingWindowLimiter` (throttling on
 *   the simulator clock), `VersionedStore` (records with every version kept), `formatBeijing`/
 *   `parseBeijing` (Asia/Shanghai `yyyy-MM-dd HH:mm:ss`), `stringifyWithBigInt` (bigint -> bare JSON
 *   integer), `readScenarioFile` (JSON/YAML), `readNdjsonFile`.
 */
export { createPrng, hashUnit, type Prng } from '@kingbridge/pipeline-core';
export * from './beijing-time.util';
export * from './json-bigint.util';
export * from './rate-limiter';
export * from './versioned-store';
export * from './fault.schema';
export * from './fault-injector';
export * from './request-log';
export * from './sim-server';
export * from './sim-middleware';
export * from './sim-types';
export * from './scenario-file';
export * from './safe-equal.util';
