/** Kafka header names used on every Kingbridge message. */
export const HEADER_SCHEMA_VERSION = 'kb-schema-version';
export const HEADER_TRACE_ID = 'kb-trace-id';
export const HEADER_SOURCE = 'kb-source';
export const HEADER_FLOW = 'kb-flow';
