import type { MigrationClass } from './data-source.factory';
import { sqlMigration } from './sql-migration';

/** One table a `schemaMigration` creates. */
export interface TableDefinition {
  /** Column name → its type and constraints (`text NOT NULL`), in table order. */
  readonly columns: Readonly<Record<string, string>>;
  /** Table constraints after the columns (`PRIMARY KEY (a, b)`, `UNIQUE (a, b)`). */
  readonly constraints?: readonly string[];
  /** Index name → what follows `ON <schema>.<table>` (`(state)`, `(flow, end_ms) WHERE status = 'open'`). */
  readonly indexes?: Readonly<Record<string, string>>;
}

/**
 * A schema's first migration (a `sqlMigration`): creates `schema` if missing, then each of `tables` in order, each
 * followed by its indexes; `down` drops the tables in reverse order and leaves the schema. History like any
 * migration: never edit what it creates once released.
 */
export function schemaMigration(
  name: string,
  schema: string,
  tables: Readonly<Record<string, TableDefinition>>,
): MigrationClass {
  const entries = Object.entries(tables);
  return sqlMigration(name, {
    up: [
      `CREATE SCHEMA IF NOT EXISTS ${schema}`,
      ...entries.flatMap(([table, definition]) => [
        createTable(`${schema}.${table}`, definition),
        ...Object.entries(definition.indexes ?? {}).map(
          ([index, on]) => `CREATE INDEX ${index} ON ${schema}.${table} ${on}`,
        ),
      ]),
    ],
    down: [...entries]
      .reverse()
      .map(([table]) => `DROP TABLE ${schema}.${table}`),
  });
}

function createTable(table: string, definition: TableDefinition): string {
  const parts = [
    ...Object.entries(definition.columns).map(
      ([column, type]) => `${column} ${type}`,
    ),
    ...(definition.constraints ?? []),
  ];
  return `CREATE TABLE ${table} (\n  ${parts.join(',\n  ')}\n)`;
}
