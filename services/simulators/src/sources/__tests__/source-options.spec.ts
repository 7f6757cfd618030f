import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { signedCallOptions } from '../common';

describe('signedCallOptions', () => {
  it('should default each credential and the timestamp skew in the given order when nothing is set', () => {
    const schema = z.object(
      signedCallOptions(
        { sid: 'demo_sid', appkey: 'demo_key' },
        { timestampSkewSeconds: 300 },
      ),
    );
    const parsed = schema.parse({});
    expect(parsed).toEqual({
      sid: 'demo_sid',
      appkey: 'demo_key',
      timestampSkewSeconds: 300,
    });
    expect(Object.keys(parsed)).toEqual([
      'sid',
      'appkey',
      'timestampSkewSeconds',
    ]);
    expect(schema.parse({ appkey: 'mine' }).appkey).toBe('mine');
  });

  it('should describe the skew only when a description is given and refuse a negative one', () => {
    const plain = signedCallOptions({ k: 'v' }, { timestampSkewSeconds: 1 });
    const described = signedCallOptions(
      { k: 'v' },
      { timestampSkewSeconds: 1, describe: 'window' },
    );
    expect(plain.timestampSkewSeconds.description).toBeUndefined();
    expect(described.timestampSkewSeconds.description).toBe('window');
    expect(
      z.object(plain).safeParse({ timestampSkewSeconds: -1 }).success,
    ).toBe(false);
  });
});
