import { loadConfig, type Env } from '@kingbridge/config';
import { K3CloudClient } from '@kingbridge/sink-kingdee-client';
import { sinkKingdeeConfigSchema } from './sink-kingdee.config';
import { createKingdeeWriters } from './sink/kingdee-writers.factory';

/**
 * The K3Cloud client the sink would build from this environment (K3CLOUD_* variables, secrets as env or
 * `*_FILE`, every auth mode), for the tools that read K3Cloud as the sink writes it (`kb reconcile --kingdee
 * api`). Throws the sink's ConfigError naming each missing or bad variable.
 */
export function k3cloudClientFromEnv(env: Env): K3CloudClient {
  const config = loadConfig(sinkKingdeeConfigSchema, {
    ...env,
    SINK_TARGETS: 'k3cloud',
  });
  const client = createKingdeeWriters(config).get('k3cloud');
  if (!(client instanceof K3CloudClient))
    throw new Error('k3cloud: the sink built no K3Cloud client');
  return client;
}
