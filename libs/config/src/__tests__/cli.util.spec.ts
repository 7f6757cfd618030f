import { describe, expect, it } from 'vitest';
import {
  InputFileError,
  UsageError,
  parseCliArgs,
  parseJsonText,
  startedAs,
} from '../cli.util';

describe('parseJsonText', () => {
  it.each([
    [
      'a missing property name',
      '{\n  "orgs": [\n    { "a": "A", }\n  ]\n}\n',
      3,
    ],
    [
      'a doubled comma (no position in the message)',
      '{\n  "orgs": [\n    { "a": "A" },,\n  ]\n}\n',
      3,
    ],
    ['a token near the start', '[1\n 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]', 2],
    ['a token near the end', '[\n1,\n2,\n3,\n4,\n5,\n6,\n7 8]', 8],
  ])('should name file:line of %s', (_what, text, line) => {
    expect(() => parseJsonText('t.json', text)).toThrow(InputFileError);
    expect(() => parseJsonText('t.json', text)).toThrow(
      new RegExp(`^t\\.json:${line}: not valid JSON`),
    );
  });

  it('should return the value of valid JSON', () => {
    expect(parseJsonText('t.json', '{"a": [1]}')).toEqual({ a: [1] });
  });
});

describe('parseCliArgs', () => {
  it('should parse the options and positionals it is given', () => {
    const { values, positionals } = parseCliArgs(['list', '--flow', 'f'], {
      allowPositionals: true,
      options: { flow: { type: 'string' } },
    });
    expect(values).toEqual({ flow: 'f' });
    expect(positionals).toEqual(['list']);
  });

  it('should refuse an unknown option as a UsageError naming it', () => {
    expect(() => parseCliArgs(['--bogus'], {})).toThrow(UsageError);
    expect(() => parseCliArgs(['--bogus'], {})).toThrow(
      /^Unknown option '--bogus'$/,
    );
  });
});

describe('startedAs', () => {
  it('should match the entry under tsx and in the compiled dist, not another file', () => {
    const argv1 = process.argv[1];
    try {
      process.argv[1] = '/work/repo/scripts/migrate.ts';
      expect(startedAs('scripts/migrate')).toBe(true);
      process.argv[1] = '/app/dist/scripts/migrate.js';
      expect(startedAs('scripts/migrate')).toBe(true);
      process.argv[1] = '/app/dist/tools/src/kingbridge.js';
      expect(startedAs('scripts/migrate')).toBe(false);
      process.argv[1] = '/app/dist/scripts/xmigrate.js';
      expect(startedAs('scripts/migrate')).toBe(false);
    } finally {
      process.argv[1] = argv1 as string;
    }
  });
});
