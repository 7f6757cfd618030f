export * from './poll-until.util';
export * from './kafka-test.util';
