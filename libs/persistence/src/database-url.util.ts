/** Name of the maintenance database every PostgreSQL cluster has. */
export const MAINTENANCE_DATABASE = 'postgres';

const IDENTIFIER = /^[a-z_][a-z0-9_$]{0,62}$/;

/** The database named in a postgres:// URL (the first path segment). */
export function databaseNameOf(url: string): string {
  const parsed = parseUrl(url);
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!name)
    throw new Error(
      `database URL names no database: ${redactDatabaseUrl(url)}`,
    );
  return name;
}

/** The same server and credentials, pointed at another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = parseUrl(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** The URL with its password replaced, safe for logs and error messages. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable database URL)';
  }
}

/** Double-quotes an identifier for SQL (`"my""db"`). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Throws unless `name` is a plain lower-case snake_case identifier. */
export function assertSchemaName(name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new Error(
      `invalid schema name "${name}": use lower-case snake_case (e.g. sink_kingdee)`,
    );
  }
  return name;
}

function parseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`invalid database URL: ${redactDatabaseUrl(url)}`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new Error(
      `database URL must start with postgres://, got ${parsed.protocol}//`,
    );
  }
  return parsed;
}
