export * from './wdt.client';
export * from './wdt-request.error';
export * from './wdt-sign.util';
export * from './wdt.schemas';
export type {
  RequestHooks,
  RequestOutcome,
  FetchFn,
} from '@kingbridge/source-kit';
