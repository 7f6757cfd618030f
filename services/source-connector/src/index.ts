/** What operator tools reuse of the source connector (backfill runs its runtime; reconcile reads the source API). */
export { SCHEMA } from './database/migrations';
export {
  SourceApiInventory,
  type InventoryProgress,
  type InventoryRecord,
} from './reconcile/source-api.inventory';
export {
  buildSourceRuntime,
  kafkaRawRecordPublisher,
} from './runtime/source-runtime.factory';
export {
  sourceConnectorConfigSchema,
  type SourceConnectorConfig,
} from './source-connector.config';
export { loadStreams } from './streams/load-streams';
export { SOURCE_CONNECTORS } from '@kingbridge/source-registry';
