/**
 * Names a plan may never use as an identifier or a path segment: they are the
 * usual routes from an expression language to the host process or to object
 * prototypes. Checked at plan validation; the evaluator refuses them again.
 */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set([
  'process',
  'require',
  'module',
  'exports',
  'import',
  'constructor',
  '__proto__',
  'prototype',
  'globalThis',
  'global',
  'window',
  'this',
  'eval',
  'Function',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

export function isForbiddenName(name: string): boolean {
  return FORBIDDEN_NAMES.has(name);
}
