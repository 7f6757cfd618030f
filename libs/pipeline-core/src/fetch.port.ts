/** The HTTP call every client takes (global `fetch` in production, a test's own in unit tests). */
export type FetchFn = typeof fetch;
