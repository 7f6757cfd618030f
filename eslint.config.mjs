import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const TEST_FILES = [
  '**/*.spec.ts',
  '**/*.integration-spec.ts',
  '**/__tests__/**',
  '**/test/**',
  'libs/testing/**',
  'bench/**',
  'services/pipeline-e2e/**',
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '.cache/**',
      'dist/**',
      'deploy/grafana/dashboards/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-eval': 'error',
      'no-new-func': 'error',
      'no-implied-eval': 'error',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                'type:connector',
                'type:domain',
                'type:infra',
                'type:core',
                'type:contracts',
                'type:util',
                'type:testing',
              ],
            },
            // Operations tooling (reconciliation, trace) reads every stage's data: plans, contracts, stores.
            {
              sourceTag: 'type:ops',
              onlyDependOnLibsWithTags: [
                'type:domain',
                'type:infra',
                'type:core',
                'type:contracts',
                'type:util',
                'type:connector',
              ],
            },
            {
              sourceTag: 'scope:ops',
              onlyDependOnLibsWithTags: [
                'scope:shared',
                'scope:source',
                'scope:transform',
                'scope:sink',
              ],
            },
            {
              sourceTag: 'type:e2e',
              onlyDependOnLibsWithTags: [
                'type:testing',
                'type:contracts',
                'type:util',
                'type:infra',
                'type:domain',
                'type:core',
              ],
            },
            {
              sourceTag: 'type:connector',
              onlyDependOnLibsWithTags: [
                'type:core',
                'type:contracts',
                'type:util',
                'type:testing',
              ],
              bannedExternalImports: [
                'kafkajs',
                '@nestjs/*',
                'typeorm',
                'pg',
                'prom-client',
              ],
            },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: [
                'type:core',
                'type:contracts',
                'type:util',
                'type:testing',
              ],
              bannedExternalImports: ['kafkajs', '@nestjs/*', 'typeorm', 'pg'],
            },
            {
              sourceTag: 'type:infra',
              onlyDependOnLibsWithTags: [
                'type:infra',
                'type:core',
                'type:contracts',
                'type:util',
                'type:testing',
              ],
            },
            {
              sourceTag: 'type:core',
              // A core lib may build on another (the source kit on pipeline-core's errors and Beijing time).
              onlyDependOnLibsWithTags: [
                'type:core',
                'type:contracts',
                'type:util',
              ],
              bannedExternalImports: ['kafkajs', '@nestjs/*', 'typeorm', 'pg'],
            },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
            {
              sourceTag: 'type:util',
              onlyDependOnLibsWithTags: ['type:util', 'type:contracts'],
            },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: [
                'type:infra',
                'type:core',
                'type:contracts',
                'type:util',
              ],
            },
            {
              sourceTag: 'scope:shared',
              onlyDependOnLibsWithTags: ['scope:shared'],
            },
            {
              sourceTag: 'scope:source',
              onlyDependOnLibsWithTags: ['scope:source', 'scope:shared'],
            },
            {
              sourceTag: 'scope:transform',
              onlyDependOnLibsWithTags: ['scope:transform', 'scope:shared'],
            },
            {
              sourceTag: 'scope:sink',
              onlyDependOnLibsWithTags: ['scope:sink', 'scope:shared'],
            },
            {
              sourceTag: 'scope:e2e',
              onlyDependOnLibsWithTags: [
                'scope:shared',
                'scope:source',
                'scope:transform',
                'scope:sink',
              ],
            },
          ],
        },
      ],
    },
  },
  {
    // kafkajs only inside libs/kafka (swap to another client by touching one lib).
    files: ['**/*.ts'],
    ignores: ['libs/kafka/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'kafkajs', message: 'Use @kingbridge/kafka.' }],
          patterns: [
            {
              group: ['@kingbridge/testing'],
              message: 'Test utilities only in test files.',
            },
            {
              group: ['@kingbridge/*/src/*', '../../../*'],
              message: 'No deep imports.',
            },
          ],
        },
      ],
    },
  },
  {
    files: TEST_FILES,
    ignores: ['libs/kafka/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'kafkajs', message: 'Use @kingbridge/kafka.' }] },
      ],
    },
  },
  {
    // Only config files and CLI entry points read process.env.
    files: ['libs/**/*.ts', 'services/**/src/**/*.ts'],
    ignores: [
      '**/*.config.ts',
      '**/main.ts',
      '**/cli.ts',
      ...TEST_FILES,
      'libs/config/**',
    ],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message:
            'Read configuration through loadConfig in a *.config.ts file.',
        },
      ],
    },
  },
  {
    // The e2e project drives the whole repo: it starts the stack with the main job's own scripts
    // (scripts/stack) and checks the Prometheus rules and dashboards under deploy/.
    files: ['services/pipeline-e2e/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'kafkajs', message: 'Use @kingbridge/kafka.' }] },
      ],
      '@nx/enforce-module-boundaries': 'off',
    },
  },
  {
    // Test-only cycle: libs/kafka's own tests use the Kafka test helpers of libs/testing, which build on libs/kafka.
    files: [
      'libs/kafka/src/__tests__/**/*.ts',
      'libs/testing/src/kafka-test.util.ts',
      'libs/testing/src/global-setup.ts',
    ],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
);
