export * from './xiaoman.client';
export * from './xiaoman-request.error';
export * from './xiaoman.schemas';
export type {
  RequestHooks,
  RequestOutcome,
  FetchFn,
} from '@kingbridge/source-kit';
