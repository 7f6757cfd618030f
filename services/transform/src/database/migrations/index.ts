import { TransformState1763850000000 } from './1763850000000-transform-state';
import { MergeWindowSourceIds1763860000000 } from './1763860000000-merge-window-source-ids';

/** Every migration of the `transform` schema, in order. */
export const MIGRATIONS = [TransformState1763850000000, MergeWindowSourceIds1763860000000];
export const SCHEMA = 'transform';
