import type { SourceErrorKind } from './source-request.error';

/** What marks a failed answer as one kind: one of `codes`, a code of `fromCode` or more, or a text matching `text`. */
export interface FailureSigns {
  readonly codes?: readonly (number | string)[];
  readonly fromCode?: number;
  readonly text?: RegExp;
}

/**
 * How a platform's failed answers read (declared in its protocol/): the signs of a throttle, of an auth failure
 * and of a transient failure, checked in that order; an answer with none of them is `rejected`.
 */
export type FailureRules = Readonly<
  Partial<Record<'throttle' | 'auth' | 'transient', FailureSigns>>
>;

const CHECKED = ['throttle', 'auth', 'transient'] as const;

/** The kind of a failed answer with `code` (undefined: none) and `text` (its message) under `rules`. */
export function failureKind(
  rules: FailureRules,
  code: number | string | undefined,
  text: string,
): SourceErrorKind {
  return CHECKED.find((kind) => shows(rules[kind], code, text)) ?? 'rejected';
}

function shows(
  signs: FailureSigns | undefined,
  code: number | string | undefined,
  text: string,
): boolean {
  if (!signs) return false;
  if (code !== undefined && signs.codes?.includes(code)) return true;
  if (typeof code === 'number' && signs.fromCode !== undefined)
    if (code >= signs.fromCode) return true;
  return signs.text?.test(text) ?? false;
}
