import { SinkKingdeeLedger1763900000000 } from './1763900000000-sink-kingdee-ledger';
import { SinkKingdeeLedgerFence1764760000000 } from './1764760000000-sink-kingdee-ledger-fence';

/** Every migration of the `sink_kingdee` schema, in order. */
export const MIGRATIONS = [
  SinkKingdeeLedger1763900000000,
  SinkKingdeeLedgerFence1764760000000,
];
export const SCHEMA = 'sink_kingdee';
