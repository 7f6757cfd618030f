import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// One source of truth for @kingbridge/* aliases: tsconfig.base.json paths, resolved as TypeScript resolves them: an
// exact name first, then the `*` pattern with the longest prefix (then suffix), so `@kingbridge/source-*` covers
// every `libs/connectors/source-<name>` folder without a line of its own.
const base = JSON.parse(
  readFileSync(resolve(__dirname, 'tsconfig.base.json'), 'utf8'),
) as {
  compilerOptions: { paths: Record<string, string[]> };
};
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const entries = Object.entries(base.compilerOptions.paths).map(
  ([name, [target]]) => {
    const [prefix, suffix] = name.split('*');
    return { name, prefix: prefix ?? '', suffix, target: target ?? '' };
  },
);
const alias = [
  ...entries.filter((e) => e.suffix === undefined),
  ...entries
    .filter((e) => e.suffix !== undefined)
    .sort(
      (a, b) =>
        b.prefix.length - a.prefix.length ||
        (b.suffix ?? '').length - (a.suffix ?? '').length,
    ),
].map((e) => ({
  find: new RegExp(
    `^${escape(e.prefix)}${e.suffix === undefined ? '' : `([^/]+)${escape(e.suffix)}`}$`,
  ),
  replacement: resolve(__dirname, e.target.replace('*', '$1')),
}));

export default defineConfig({
  resolve: { alias },
  test: {
    env: { TZ: 'UTC' },
    // At most two files at once in one vitest run (its default on 2 cores is one). Vitest still takes the
    // projects one after another, so npm test (scripts/test.sh) runs the integration project in a second vitest
    // run beside the unit and e2e ones.
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['{libs,services,scripts,deploy,bench,tools}/**/*.spec.ts'],
          exclude: ['**/node_modules/**'],
          env: { TZ: 'UTC' },
          testTimeout: 20_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: [
            '{libs,services,scripts,deploy,bench,tools}/**/*.integration-spec.ts',
          ],
          exclude: ['**/node_modules/**'],
          env: { TZ: 'UTC' },
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          globalSetup: ['scripts/test/integration-global-setup.ts'],
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e-spec.ts'],
          exclude: ['**/node_modules/**'],
          env: { TZ: 'UTC' },
          testTimeout: 600_000,
          hookTimeout: 300_000,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
