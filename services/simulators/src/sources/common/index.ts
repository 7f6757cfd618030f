/**
 * The source-simulator skeleton every platform configures with its protocol: state (options, plumbing, main
 * dataset, data rates, rate-limit windows), the incremental window query with pagination, request checks
 * (parameters, timestamps, the Qimen router's refusals) and the start-up with the admin surface.
 */
export * from './source-auth';
export * from './source-options';
export * from './source-simulator';
export * from './source-state';
export * from './window-query';
