export * from './inventory.port';
export * from './document-totals.util';
export * from './reconcile.comparator';
export * from './expected-documents.builder';
export * from './reconcile-flow';
export * from './simulator-inventory.adapter';
export * from './reconcile-report.formatter';
export * from './record-trace';
