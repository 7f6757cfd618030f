import { createLogger } from '@kingbridge/observability';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { AdaptiveRateLimiter } from '../rate-limiter';
import { CredentialChannel, type RequestPolicy } from '../request-executor';
import { createSourceMetrics } from '../source.metrics';

const POLICY: RequestPolicy = {
  transient: {
    initialMs: 20,
    multiplier: 2,
    factor: 0,
    maxMs: 1000,
    attempts: 3,
  },
  maxThrottleRetries: 2,
};

function channel(policy: RequestPolicy = POLICY) {
  const registry = new Registry();
  const metrics = createSourceMetrics(registry);
  return {
    registry,
    channel: new CredentialChannel(
      'wdt',
      new AdaptiveRateLimiter([{ limit: 1000, intervalMs: 1000 }]),
      metrics,
      createLogger('test', 'silent'),
      policy,
    ),
  };
}

const failure = (kind: 'transient' | 'throttle' | 'rejected'): Error =>
  Object.assign(new Error(`${kind} failure`), { kind });

/** A call that fails with the given kinds in turn, then answers 'ok'; `onFailure` runs after each failure. */
function scripted(
  kinds: readonly ('transient' | 'throttle' | 'rejected')[],
  onFailure: () => void = () => undefined,
) {
  const at: number[] = [];
  let i = 0;
  return {
    at,
    call: async (): Promise<string> => {
      at.push(Date.now());
      const kind = kinds[i++];
      if (kind === undefined) return 'ok';
      setImmediate(onFailure);
      throw failure(kind);
    },
  };
}

async function retries(registry: Registry): Promise<number> {
  const m = await registry
    .getSingleMetric('kingbridge_source_retries_total')
    ?.get();
  return m?.values.reduce((n, v) => n + v.value, 0) ?? 0;
}

describe('CredentialChannel.execute', () => {
  it('should retry transient failures with the policy backoff, throttles without counting them', async () => {
    const { channel: c, registry } = channel();
    const s = scripted(['transient', 'throttle', 'throttle', 'transient']);

    const result = await c.execute(s.call, {});

    expect(result).toBe('ok');
    expect(s.at).toHaveLength(5);
    // 20 ms after the first transient failure, 40 ms after the second; throttles go at once (the limiter paces).
    expect((s.at[1] as number) - (s.at[0] as number)).toBeGreaterThanOrEqual(
      18,
    );
    expect((s.at[4] as number) - (s.at[3] as number)).toBeGreaterThanOrEqual(
      38,
    );
    expect(await retries(registry)).toBe(4);
  });

  it('should throw the last transient failure as it is when the attempts are used up', async () => {
    const { channel: c } = channel();
    const s = scripted(['transient', 'transient', 'transient', 'transient']);

    await expect(c.execute(s.call, {})).rejects.toThrow('transient failure');
    expect(s.at).toHaveLength(3);
  });

  it('should throw a throttle past the throttle retries, and a refusal at once', async () => {
    const throttled = scripted(['throttle', 'throttle', 'throttle']);
    const refused = scripted(['rejected']);

    await expect(channel().channel.execute(throttled.call, {})).rejects.toThrow(
      'throttle failure',
    );
    await expect(channel().channel.execute(refused.call, {})).rejects.toThrow(
      'rejected failure',
    );
    expect(throttled.at).toHaveLength(3);
    expect(refused.at).toHaveLength(1);
  });

  it('should stop waiting and throw the failure when the signal aborts during a backoff', async () => {
    const { channel: c } = channel({
      ...POLICY,
      transient: { ...POLICY.transient, initialMs: 60_000 },
    });
    const abort = new AbortController();
    // Aborted just after the failure, while the 60 s backoff runs.
    const s = scripted(['transient', 'transient'], () => abort.abort());

    await expect(c.execute(s.call, {}, abort.signal)).rejects.toThrow(
      'transient failure',
    );
    expect(s.at).toHaveLength(1);
  });
});
