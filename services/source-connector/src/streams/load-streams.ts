import type { SourceStream } from '@kingbridge/source-runtime';
import type { SourceConnectorConfig } from '../source-connector.config';
import { loadPlanStreams, parseStreamsJson } from './plan-streams.loader';

/** `SOURCE_STREAMS` when set, else the source sections of the plans in `PLANS_DIR`. */
export async function loadStreams(
  config: SourceConnectorConfig,
): Promise<SourceStream[]> {
  if (config.SOURCE_STREAMS)
    return parseStreamsJson(config.SOURCE_STREAMS, config.CONNECTOR_ID);
  return loadPlanStreams(config.PLANS_DIR, config.CONNECTOR_ID);
}
