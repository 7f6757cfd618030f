import { describe, expect, it } from 'vitest';
import {
  SnakeNamingStrategy,
  assertSchemaName,
  databaseNameOf,
  describeError,
  redactDatabaseUrl,
  toSnakeCase,
  withDatabase,
} from '../index';

describe('database URL helpers', () => {
  it('should hide the password when a URL is redacted', () => {
    expect(redactDatabaseUrl('postgres://kb:p%40ss@db:5432/kingbridge')).toBe(
      'postgres://kb:***@db:5432/kingbridge',
    );
    expect(redactDatabaseUrl('not a url')).toBe('(unparseable database URL)');
  });

  it('should swap only the database when another database is targeted', () => {
    const url = 'postgres://kb:pw@127.0.0.1:5432/kingbridge?sslmode=disable';

    expect(withDatabase(url, 'postgres')).toBe(
      'postgres://kb:pw@127.0.0.1:5432/postgres?sslmode=disable',
    );
    expect(databaseNameOf(url)).toBe('kingbridge');
  });

  it('should reject a URL without a database or with another protocol', () => {
    expect(() => databaseNameOf('postgres://127.0.0.1:5432/')).toThrow(
      /names no database/,
    );
    expect(() => databaseNameOf('mysql://127.0.0.1/kb')).toThrow(
      /postgres:\/\//,
    );
  });

  it('should accept only snake_case schema names', () => {
    expect(assertSchemaName('sink_kingdee')).toBe('sink_kingdee');
    expect(() => assertSchemaName('sink-kingdee')).toThrow(/snake_case/);
    expect(() => assertSchemaName('x"; DROP')).toThrow();
  });
});

describe('SnakeNamingStrategy', () => {
  it('should snake_case class and property names when no name is given', () => {
    const strategy = new SnakeNamingStrategy();

    expect(toSnakeCase('StreamCheckpoint')).toBe('stream_checkpoint');
    expect(toSnakeCase('lastHTTPStatus')).toBe('last_http_status');
    expect(strategy.tableName('WriteLedgerEntry', undefined)).toBe(
      'write_ledger_entry',
    );
    expect(strategy.columnName('billNo', undefined, ['target'])).toBe(
      'target_bill_no',
    );
    expect(strategy.columnName('billNo', 'fbillno', [])).toBe('fbillno');
  });
});

describe('describeError', () => {
  it('should give the nested reasons when a dual-stack connect fails with an empty AggregateError', () => {
    const err = Object.assign(
      new AggregateError([
        Object.assign(new Error('connect ECONNREFUSED ::1:5432'), {
          code: 'ECONNREFUSED',
        }),
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
          code: 'ECONNREFUSED',
        }),
      ]),
      { code: 'ECONNREFUSED' },
    );

    expect(describeError(err)).toBe(
      'connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432',
    );
  });
});
