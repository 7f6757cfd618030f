/** Compiled enabled flows (`Flow[]`). */
export const TRANSFORM_FLOWS = Symbol('TRANSFORM_FLOWS');
