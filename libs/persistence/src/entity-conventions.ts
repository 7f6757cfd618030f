import type { DataSource } from 'typeorm';

const ZONELESS = new Set(['timestamp', 'timestamp without time zone']);

/**
 * Names every entity column that stores a time without a zone. Kingbridge
 * stores instants as `timestamptz` only: source APIs send Asia/Shanghai local
 * times, and a zoneless column silently shifts them by eight hours.
 * Call after `initialize()` (metadata must be built).
 */
export function zonelessTimeColumns(dataSource: DataSource): string[] {
  const offenders: string[] = [];
  for (const entity of dataSource.entityMetadatas) {
    for (const column of entity.columns) {
      const type = typeof column.type === 'string' ? column.type : '';
      if (ZONELESS.has(type) || column.type === Date) {
        offenders.push(`${entity.tableName}.${column.databaseName}`);
      }
    }
  }
  return offenders;
}
