import { TransformState1763850000000 } from './1763850000000-transform-state';
import { MergeWindowSourceIds1763860000000 } from './1763860000000-merge-window-source-ids';
import { MergeRecord1763870000000 } from './1763870000000-merge-record';
import { MergeOutbox1764600000000 } from './1764600000000-merge-outbox';
import { FlowSettings1764700000000 } from './1764700000000-flow-settings';
import { MergePartitionEventTime1764800000000 } from './1764800000000-merge-partition-event-time';

/** Every migration of the `transform` schema, in order. */
export const MIGRATIONS = [
  TransformState1763850000000,
  MergeWindowSourceIds1763860000000,
  MergeRecord1763870000000,
  MergeOutbox1764600000000,
  FlowSettings1764700000000,
  MergePartitionEventTime1764800000000,
];
export const SCHEMA = 'transform';
