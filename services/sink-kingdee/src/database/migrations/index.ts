import { SinkKingdeeLedger1763900000000 } from './1763900000000-sink-kingdee-ledger';

/** Every migration of the `sink_kingdee` schema, in order. */
export const MIGRATIONS = [SinkKingdeeLedger1763900000000];
export const SCHEMA = 'sink_kingdee';
