import { describe, expect, it } from 'vitest';
import {
  jdyAppSignature,
  jdyCanonicalQuery,
  jdyGatewaySignature,
  k3LoginSign,
} from '@kingbridge/sink-kingdee-client/protocol';

// Vectors from /work/shared/reference/kingdee.md (§1.4, §2.2, §2.3).
describe('kingdee signatures', () => {
  it('should match the LoginBySign vector when signing with sha256', () => {
    expect(
      k3LoginSign({
        acctId: 'acct001',
        userName: 'demo',
        appId: 'appid001',
        appSecret: 'secret001',
        timestamp: '1700000000',
      }),
    ).toBe('7bcff58ba87330748813796cb485935be859ea08dfb3f760187298c5bc991a6e');
  });

  it('should match the JDY gateway vectors when the query is present and absent', () => {
    const secret = '88e40499b2af98eaa8e81046353954a3';
    expect(
      jdyGatewaySignature(
        secret,
        'POST',
        '/jdyconnector/app_management/push_app_authorize',
        jdyCanonicalQuery([['outerInstanceId', '509132114453729280']]),
        '1234567',
        '1741234567890',
      ),
    ).toBe(
      'YTliMzk3ZWU0MGYwYjIwNGE1NzU0NTA5MmIyNDA5ZTQ0MGI4M2Q2MmI2YWM0NWNlYmE0ZTZlZTE4ODEyOTc4Nw==',
    );
    expect(
      jdyGatewaySignature(
        secret,
        'POST',
        '/jdy/v2/scm/inv_check_loss_bill',
        '',
        '1234567',
        '1741234567890',
      ),
    ).toBe(
      'NDJiN2Q0MDVkZDdhMjY4NDBkMjlkOWExMDEwNTkxOWJkOWRmNmJmODJiNTlhMzlmMTAyYjUxNDE2MWUwOGVhNQ==',
    );
  });

  it('should match the app_signature vector when appKey is abc', () => {
    expect(jdyAppSignature('abc', 'abc123')).toBe(
      'ZDljMTI3NGIyNTE1MTRkYzlkNjc1MDNhYjUzMzgzNWMyY2M4YTdjMzdmNmM3YTVlNDkxMTkzNjdiOTFjNzUyZQ==',
    );
  });

  it('should sort keys and encode twice when building the JDY query', () => {
    expect(
      jdyCanonicalQuery([
        ['b', 'x y'],
        ['a', '1/2'],
      ]),
    ).toBe('a=1%252F2&b=x%2520y');
  });

  it('should encode the JDY query PHP-style (space as +, ! escaped) when asked for the form style', () => {
    expect(jdyCanonicalQuery([['q', 'a b!']], 'form')).toBe('q=a%2Bb%2521');
    expect(jdyCanonicalQuery([['q', 'a b!']])).toBe('q=a%2520b!');
  });
});
