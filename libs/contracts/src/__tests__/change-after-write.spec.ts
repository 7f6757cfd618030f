import { describe, expect, it } from 'vitest';
import {
  CHANGE_AFTER_WRITE_RULES,
  changeAfterWriteSchema,
} from '../topics/outbound-document.schema';
// The status vocabulary is derived from the rules table of the outbound documents.
import {
  changeOfOutcome,
  documentChangeSchema,
  writeOutcomeSchema,
} from '../topics/status-event.schema';

describe('change after write vocabulary', () => {
  it('should accept exactly the plan rules of the table, in its order, when parsing changeAfterWrite', () => {
    // Arrange
    const rules = Object.keys(CHANGE_AFTER_WRITE_RULES);

    // Act
    const options = changeAfterWriteSchema.options;

    // Assert
    expect(options).toEqual(['dead_letter', 'skip', 'update', 'reverse']);
    expect(options).toEqual(rules);
    expect(changeAfterWriteSchema.safeParse('delete').success).toBe(false);
  });

  it('should keep the wire values of outcomes and changes when the rules table derives them', () => {
    // Arrange
    const reported = Object.values(CHANGE_AFTER_WRITE_RULES).filter(
      (change) => change !== undefined,
    );

    // Act
    const outcomes = writeOutcomeSchema.options;
    const changes = documentChangeSchema.options;

    // Assert
    expect(outcomes).toEqual([
      'written',
      'duplicate_skipped',
      'dead_lettered',
      'retrying',
      'changed_after_write',
      'updated',
      'reversed',
    ]);
    expect(changes).toEqual([
      'corrected',
      'changed_after_write',
      'updated',
      'reversed',
    ]);
    for (const change of reported) {
      expect(writeOutcomeSchema.parse(change)).toBe(change);
      expect(documentChangeSchema.parse(change)).toBe(change);
    }
  });

  it('should report no change when the rule is skip', () => {
    // Arrange
    const rule = changeAfterWriteSchema.parse('skip');

    // Act
    const change = CHANGE_AFTER_WRITE_RULES[rule];

    // Assert
    expect(change).toBeUndefined();
  });

  it('should give an after-write outcome as its own change and no other outcome a change of its own', () => {
    const changes = writeOutcomeSchema.options.map((o) => [
      o,
      changeOfOutcome(o),
    ]);
    expect(Object.fromEntries(changes)).toEqual({
      written: undefined,
      duplicate_skipped: undefined,
      dead_lettered: undefined,
      retrying: undefined,
      changed_after_write: 'changed_after_write',
      updated: 'updated',
      reversed: 'reversed',
    });
  });
});
