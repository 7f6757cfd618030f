export * from './poll-until.util';
export * from './test-database.util';
export * from './kafka-test.util';
export { freePort } from '@kingbridge/pipeline-core';
export {
  integrationGlobalSetup,
  type IntegrationSetupOptions,
} from './global-setup';
export * from './cli-run.util';
export { ServiceProcess } from './service-process.util';
export * from './transform-under-test.util';
