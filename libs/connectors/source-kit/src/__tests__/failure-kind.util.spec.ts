import { describe, expect, it } from 'vitest';
import { type FailureRules, failureKind } from '../failure-kind.util';

const rules: FailureRules = {
  throttle: { codes: [429, 'limited'], text: /too many/i },
  auth: { codes: [401], text: /sign/i },
  transient: { fromCode: 500 },
};

describe('failureKind', () => {
  it('should read a kind from a code, a code range or the text', () => {
    expect([
      failureKind(rules, 429, ''),
      failureKind(rules, 'limited', ''),
      failureKind(rules, 1, 'Too many calls'),
      failureKind(rules, 401, ''),
      failureKind(rules, undefined, 'bad sign'),
      failureKind(rules, 503, ''),
    ]).toEqual([
      'throttle',
      'throttle',
      'throttle',
      'auth',
      'auth',
      'transient',
    ]);
  });

  it('should check throttle, then auth, then transient when several signs show', () => {
    expect(failureKind(rules, 401, 'too many')).toBe('throttle');
    expect(failureKind(rules, 500, 'sign')).toBe('auth');
  });

  it('should be rejected when no sign shows', () => {
    expect(failureKind(rules, 400, 'bad param')).toBe('rejected');
    expect(failureKind({}, 500, 'anything')).toBe('rejected');
    expect(failureKind(rules, '500', '')).toBe('rejected');
  });
});
