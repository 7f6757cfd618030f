export * from './wdt.client';
export * from './wdt-request.error';
export * from './wdt.connector';
export * from '@kingbridge/source-wdt/protocol';
