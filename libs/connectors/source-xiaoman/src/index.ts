export * from './xiaoman.client';
export * from './xiaoman-request.error';
export * from './xiaoman.connector';
export * from '@kingbridge/source-xiaoman/protocol';
