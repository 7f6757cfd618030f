export * from './xiaoman.client';
export * from './xiaoman-request.error';
export * from './xiaoman.connector';
export * from './protocol';
export type {
  RequestHooks,
  RequestOutcome,
  FetchFn,
} from '@kingbridge/source-kit';
