export * from '@kingbridge/sink-kingdee-client/protocol';
export * from './kingdee-error.classifier';
export * from './kingdee-http.util';
export * from './kingdee-writer.port';
export {
  K3CloudClient,
  mapRows,
  type K3CloudAuth,
  type K3CloudClientOptions,
} from './k3cloud.client';
export { JdyClient, type JdyClientOptions } from './jdy.client';
export { K3WiseClient, type K3WiseClientOptions } from './k3wise.client';
export * from './document-schemas';
