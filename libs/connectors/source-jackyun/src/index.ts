export * from './jackyun.client';
export * from './jackyun-request.error';
export * from './jackyun.connector';
export * from '@kingbridge/source-jackyun/protocol';
