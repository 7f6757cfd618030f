import { SourceConnectorState1763800000000 } from './1763800000000-source-connector-state';

/** Every migration of the `source_connector` schema, in order. */
export const MIGRATIONS = [SourceConnectorState1763800000000];
export const SCHEMA = 'source_connector';
