export * from './poll-until.util';
export * from './kafka-test.util';
export * from './free-port.util';
