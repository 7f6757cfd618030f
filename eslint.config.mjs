import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const LIB_TYPES = [
  'type:connector',
  'type:registry',
  'type:protocol',
  'type:domain',
  'type:infra',
  'type:core',
  'type:contracts',
  'type:util',
  'type:testing',
];

// What the tool-like projects (scripts, tools, deploy, bench) may use: services through their public entry.
const OPS_TARGETS = [
  'type:tool',
  'type:app',
  'type:simulator',
  'type:ops',
  ...LIB_TYPES,
];

// What a connector or a platform's wire never imports: the runtime is the services' business.
const NO_RUNTIME_IMPORTS = [
  'kafkajs',
  '@nestjs/*',
  'typeorm',
  'pg',
  'prom-client',
];

const DEP_CONSTRAINTS = [
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: LIB_TYPES,
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
      'type:registry',
    ],
  },
  {
    sourceTag: 'scope:ops',
    onlyDependOnLibsWithTags: [
      'scope:ops',
      'scope:shared',
      'scope:registry',
      'scope:source',
      'scope:transform',
      'scope:sink',
    ],
  },
  // The e2e suite starts the stack with the operator tools and checks the rules and dashboards under deploy/.
  {
    sourceTag: 'type:e2e',
    onlyDependOnLibsWithTags: [
      'type:tool',
      'type:deploy',
      'type:ops',
      'type:simulator',
      'type:testing',
      'type:contracts',
      'type:util',
      'type:infra',
      'type:domain',
      'type:core',
      'type:registry',
    ],
  },
  // A platform's wire (protocol/ of a connector lib, its own project): what the client and the simulator share.
  {
    sourceTag: 'type:protocol',
    onlyDependOnLibsWithTags: ['type:core', 'type:contracts', 'type:util'],
    bannedExternalImports: NO_RUNTIME_IMPORTS,
  },
  {
    sourceTag: 'type:connector',
    onlyDependOnLibsWithTags: [
      'type:protocol',
      'type:core',
      'type:contracts',
      'type:util',
      'type:testing',
    ],
    bannedExternalImports: NO_RUNTIME_IMPORTS,
  },
  // The one registry of source platforms (libs/connectors/source-registry): their specs and streams.
  {
    sourceTag: 'type:registry',
    onlyDependOnLibsWithTags: [
      'type:connector',
      'type:core',
      'type:contracts',
      'type:util',
    ],
  },
  {
    sourceTag: 'scope:registry',
    onlyDependOnLibsWithTags: ['scope:source', 'scope:shared'],
  },
  // Which source streams exist (plan checks, raw topics) is read from the registry.
  {
    sourceTag: 'type:domain',
    onlyDependOnLibsWithTags: [
      'type:registry',
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
      'type:registry',
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
    onlyDependOnLibsWithTags: ['type:core', 'type:contracts', 'type:util'],
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
      'type:registry',
      'type:infra',
      'type:core',
      'type:contracts',
      'type:util',
    ],
  },
  {
    sourceTag: 'scope:shared',
    onlyDependOnLibsWithTags: ['scope:shared', 'scope:registry'],
  },
  {
    sourceTag: 'scope:source',
    onlyDependOnLibsWithTags: [
      'scope:source',
      'scope:shared',
      'scope:registry',
    ],
  },
  {
    sourceTag: 'scope:transform',
    onlyDependOnLibsWithTags: [
      'scope:transform',
      'scope:shared',
      'scope:registry',
    ],
  },
  {
    sourceTag: 'scope:sink',
    onlyDependOnLibsWithTags: ['scope:sink', 'scope:shared', 'scope:registry'],
  },
  {
    sourceTag: 'scope:e2e',
    onlyDependOnLibsWithTags: [
      'scope:registry',
      'scope:ops',
      'scope:shared',
      'scope:source',
      'scope:transform',
      'scope:sink',
    ],
  },
  // Operator tools (scripts/, tools/): the one CLI and its commands reuse services only through their
  // public entry (services/<svc>/src/index.ts), never their internals.
  {
    sourceTag: 'type:tool',
    onlyDependOnLibsWithTags: OPS_TARGETS,
  },
  // deploy/ (manifests, rules, dashboards and their checks) builds on the tools, never the other way round.
  {
    sourceTag: 'type:deploy',
    onlyDependOnLibsWithTags: OPS_TARGETS,
  },
  {
    sourceTag: 'type:bench',
    onlyDependOnLibsWithTags: OPS_TARGETS,
  },
  // The simulators are a deployable test double: they share only the core and the wire-level utilities.
  {
    sourceTag: 'type:simulator',
    onlyDependOnLibsWithTags: [
      'type:protocol',
      'type:infra',
      'type:core',
      'type:contracts',
      'type:util',
      'type:testing',
    ],
  },
];

// Tests may start a simulator in-process (@kingbridge/simulators); production code never imports one.
const TEST_DEP_CONSTRAINTS = DEP_CONSTRAINTS.map((c) =>
  ['type:app', 'type:connector', 'type:domain', 'type:infra'].includes(
    c.sourceTag,
  )
    ? {
        ...c,
        onlyDependOnLibsWithTags: [
          ...c.onlyDependOnLibsWithTags,
          'type:simulator',
        ],
      }
    : c,
);

const BOUNDARIES = (depConstraints, allow = []) => [
  'error',
  {
    enforceBuildableLibDependency: false,
    allow,
    depConstraints,
  },
];

// A source connector's wire (constants, signing, response schemas): the one entry of a connector lib its
// simulator may import (never the client); protocol/ itself imports nothing of the client.
const SOURCE_PROTOCOL_ENTRIES = ['^@kingbridge/source-[a-z]+/protocol$'];
// The Kingdee wire (service names, codes, signing, answer schemas, form keys): the Kingdee simulators' one
// entry into the sink's connector lib.
const KINGDEE_PROTOCOL_ENTRIES = ['^@kingbridge/sink-kingdee-client/protocol$'];

const TEST_FILES = [
  '**/*.spec.ts',
  '**/*.integration-spec.ts',
  '**/__tests__/**',
  '**/test/**',
  'libs/testing/**',
  'bench/**',
  'e2e/**',
];

const RESTRICTED_IMPORTS = {
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
};

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
      '@nx/enforce-module-boundaries': BOUNDARIES(DEP_CONSTRAINTS),
    },
  },
  {
    // kafkajs only inside libs/kafka (swap to another client by touching one lib).
    files: ['**/*.ts'],
    ignores: ['libs/kafka/**'],
    rules: {
      'no-restricted-imports': ['error', RESTRICTED_IMPORTS],
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
    // Tests may start a simulator in-process; the e2e suite may use test utilities in every file.
    files: TEST_FILES,
    rules: {
      '@nx/enforce-module-boundaries': BOUNDARIES(TEST_DEP_CONSTRAINTS),
    },
  },
  {
    // The source simulators speak each platform's wire through its connector's protocol entry only.
    files: ['services/simulators/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': BOUNDARIES(TEST_DEP_CONSTRAINTS, [
        ...SOURCE_PROTOCOL_ENTRIES,
        ...KINGDEE_PROTOCOL_ENTRIES,
      ]),
    },
  },
  {
    files: [
      'libs/connectors/source-*/src/protocol/**/*.ts',
      'libs/connectors/sink-kingdee/src/protocol/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...RESTRICTED_IMPORTS,
          patterns: [
            ...RESTRICTED_IMPORTS.patterns,
            {
              group: ['../*'],
              message:
                'protocol/ is what the simulator imports: it uses nothing of the client.',
            },
          ],
        },
      ],
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
