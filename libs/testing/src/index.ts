export * from './poll-until.util';
export * from './kafka-test.util';
export * from './free-port.util';
export {
  integrationGlobalSetup,
  type IntegrationSetupOptions,
} from './global-setup';
export * from './cli-run.util';
