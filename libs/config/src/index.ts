export * from './config.error';
export * from './secret.schema';
export * from './load-config';
export * from './base.config';
export * from './kafka-security.config';
export * from './cli.util';
