export * from './jushuitan.client';
export * from './jushuitan-request.error';
export * from './jushuitan-sign.util';
export * from './jushuitan.schemas';
export type {
  RequestHooks,
  RequestOutcome,
  FetchFn,
} from '@kingbridge/source-kit';
