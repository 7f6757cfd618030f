export * from './jushuitan.client';
export * from './jushuitan-request.error';
export * from './jushuitan.connector';
export * from '@kingbridge/source-jushuitan/protocol';
