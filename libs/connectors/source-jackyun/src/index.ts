export * from './jackyun.client';
export * from './jackyun-request.error';
export * from './jackyun.connector';
export * from './protocol';
export { parseJsonLossless } from './lossless-json.util';
export { formatChinaTime, chinaTimeToIso } from '@kingbridge/source-kit';
export type {
  RequestHooks,
  RequestOutcome,
  FetchFn,
} from '@kingbridge/source-kit';
