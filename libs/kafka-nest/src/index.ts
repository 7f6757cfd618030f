export * from './kafka.tokens';
export * from './kafka-batch-handler.decorator';
export * from './kafka-module.options';
export * from './kafka-batch.transport';
export * from './kafka.module';
export * from './kafka.health';
export * from './service-host';
