import type { DataSource } from 'typeorm';

/**
 * Readiness probe: true when `SELECT 1` answers within `timeoutMs`.
 * Never throws; false while the DataSource is not initialised yet
 * (e.g. `connectWithRetry` still waiting for Postgres).
 */
export async function pingDatabase(
  dataSource: DataSource,
  timeoutMs = 2_000,
): Promise<boolean> {
  if (!dataSource.isInitialized) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      dataSource.query('SELECT 1').then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
