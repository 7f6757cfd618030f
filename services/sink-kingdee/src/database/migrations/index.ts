import { SinkKingdeeLedger1763900000000 } from './1763900000000-sink-kingdee-ledger';
import { SinkKingdeeLedgerFence1764760000000 } from './1764760000000-sink-kingdee-ledger-fence';
import { SinkKingdeeBudgetLease1764900000000 } from './1764900000000-sink-kingdee-budget-lease';

/** Every migration of the `sink_kingdee` schema, in order. */
export const MIGRATIONS = [
  SinkKingdeeLedger1763900000000,
  SinkKingdeeLedgerFence1764760000000,
  SinkKingdeeBudgetLease1764900000000,
];
export const SCHEMA = 'sink_kingdee';
