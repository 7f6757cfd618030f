import type { SourceStream } from '@kingbridge/source-runtime';
import type { SourceConnectorConfig } from '../source-connector.config';
import { loadPlanStreams, parseStreamsJson } from './plan-streams.loader';

/**
 * `SOURCE_STREAMS` when set, else the source sections of the plans in `PLANS_DIR`; pauses longer than
 * `MAX_POLL_INTERVAL_MS` are cut to it.
 */
export async function loadStreams(
  config: SourceConnectorConfig,
): Promise<SourceStream[]> {
  const streams = config.SOURCE_STREAMS
    ? parseStreamsJson(config.SOURCE_STREAMS, config.CONNECTOR_ID)
    : await loadPlanStreams(config.PLANS_DIR, config.CONNECTOR_ID);
  const cap = config.MAX_POLL_INTERVAL_MS;
  if (cap === undefined) return streams;
  const capSeconds = Math.max(1, Math.floor(cap / 1000));
  // Streams without their own pause run every POLL_INTERVAL_MS, which the scheduler caps as well.
  return streams.map((s) =>
    s.pollIntervalSeconds === undefined
      ? s
      : {
          ...s,
          pollIntervalSeconds: Math.min(s.pollIntervalSeconds, capSeconds),
        },
  );
}
