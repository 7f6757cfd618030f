/** Injection token of the service's pino logger. */
export const STATUS_EXPORTER_LOGGER = Symbol('STATUS_EXPORTER_LOGGER');
