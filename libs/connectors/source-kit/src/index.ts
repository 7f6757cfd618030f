export * from './http.util';
export * from './source-request.error';
export { formatChinaTime, chinaTimeToIso } from './china-time.util';
export * from './source-request.util';
export * from './source-api.util';
export { sortedKeyValues, topSign } from './top-sign.util';
export * from './source-connector.port';
export * from './source-connector-spec.util';
export * from './qimen-transport.util';
