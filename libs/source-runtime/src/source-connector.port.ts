// The source client port lives in @kingbridge/source-kit (the connector libs implement it there); the runtime
// re-exports it so services keep one import.
export type {
  PageQuery,
  PageToken,
  QueryParamValue,
  RequestHooks,
  RequestOutcome,
  SourceConnectorClient,
  SourcePage,
  SourceRecord,
} from '@kingbridge/source-kit';
