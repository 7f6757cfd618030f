import { TransformState1763850000000 } from './1763850000000-transform-state';

/** Every migration of the `transform` schema, in order. */
export const MIGRATIONS = [TransformState1763850000000];
export const SCHEMA = 'transform';
