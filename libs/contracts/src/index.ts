export * from './platform.schema';
export * from './topic-names.constant';
export * from './headers.constant';
export * from './zod-path.util';
export * from './topics/raw-record.schema';
export * from './topics/outbound-document.schema';
export * from './topics/status-event.schema';
export * from './topics/dead-letter.schema';
