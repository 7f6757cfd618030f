import type { z } from 'zod';

/** Formats zod issues as `path.to.field: message` lines (root shown as `(root)`). */
export function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${zodPath(issue.path)}: ${issue.message}`)
    .join('; ');
}

export function zodPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(root)';
  return path
    .map((p, i) =>
      typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`,
    )
    .join('');
}
