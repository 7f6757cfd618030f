/** The one method the repositories need; a TypeORM DataSource or a pg Pool wrapper fits. */
export interface SqlExecutor {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(sql: string, params?: unknown[]): Promise<any>;
}
