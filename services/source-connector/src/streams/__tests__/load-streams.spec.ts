import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@kingbridge/config';
import { sourceConnectorConfigSchema } from '../../source-connector.config';
import { loadStreams } from '../load-streams';

const PLANS = resolve(join(__dirname, '../../../../../plans'));

function config(extra: Record<string, string>) {
  return loadConfig(sourceConnectorConfigSchema, {
    CONNECTOR_ID: 'jackyun',
    JACKYUN_APP_KEY: 'k',
    JACKYUN_APP_SECRET: 's',
    PLANS_DIR: PLANS,
    ...extra,
  });
}

describe('loadStreams', () => {
  it('should keep the plans’ own pauses when MAX_POLL_INTERVAL_MS is not set', async () => {
    const streams = await loadStreams(config({}));
    expect(
      Object.fromEntries(streams.map((s) => [s.id, s.pollIntervalSeconds])),
    ).toEqual({
      'jackyun.sales-order.retail-shipped': 60,
      'jackyun.sales-channel.dsgl': 300,
    });
  });

  it('should cut every plan pause longer than MAX_POLL_INTERVAL_MS to it when it is set', async () => {
    const streams = await loadStreams(
      config({ MAX_POLL_INTERVAL_MS: '90000' }),
    );
    expect(
      Object.fromEntries(streams.map((s) => [s.id, s.pollIntervalSeconds])),
    ).toEqual({
      'jackyun.sales-order.retail-shipped': 60,
      'jackyun.sales-channel.dsgl': 90,
    });
  });
});
