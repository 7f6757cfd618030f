export * from './pipeline.error';
export * from './backoff.util';
export * from './canonical-json.util';
export * from './beijing-time.util';
export * from './fetch.port';
export * from './http.util';
export * from './lossless-json.util';
export * from './prng';
