/** The scripts project's public surface: the operator commands and the library functions other projects reuse. */
export { OPERATOR_COMMANDS } from './commands';
export { operatorConfigSchema } from './operator-options';
export type { OperatorCommand, OperatorCommandName } from './commands';
export {
  MIGRATION_SOURCES,
  checkPending,
  loadServiceMigrations,
  migrateAll,
  migrateConfigSchema,
  type MigrationReport,
  type ServiceMigrations,
} from './migrate';
export {
  listLookupTables,
  loadLookups,
  lookupTablesSchema,
  readLookupTable,
  type LookupTables,
} from './lookups';
