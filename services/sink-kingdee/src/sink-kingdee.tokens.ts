/** Injection token of the service logger. */
export const SINK_LOGGER = Symbol('SINK_LOGGER');
