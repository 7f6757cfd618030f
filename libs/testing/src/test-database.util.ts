/** The integration tests' database (the global setup creates and migrates it): `DATABASE_URL`, else kingbridge_test. */
export const TEST_DATABASE_URL =
  process.env['DATABASE_URL'] ??
  'postgres://postgres@127.0.0.1:5432/kingbridge_test';
