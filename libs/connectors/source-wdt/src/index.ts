export * from './wdt.client';
export * from './wdt-request.error';
export * from './wdt.connector';
export * from './protocol';
