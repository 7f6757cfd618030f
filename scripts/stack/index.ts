/** The local stack's public surface (used by the e2e suite, the demo world, deploy checks and the bench). */
export * from './demo-credentials';
export * from './demo-master-data';
export * from './process-group';
export * from './prometheus-text.util';
export * from './stack';
