import { describe, expect, it } from 'vitest';
import { envelopeAnswer } from '../shared/kingdee-server';

describe('envelopeAnswer', () => {
  it('should answer HTTP 200 JSON under the platform key names in order, data null when not given', () => {
    const answer = envelopeAnswer(['StatusCode', 'Message', 'Data']);
    const bare = answer(500, 'fail');
    expect(bare.status).toBe(200);
    expect(bare.headers?.['content-type']).toBe(
      'application/json; charset=utf-8',
    );
    expect(bare.body).toBe('{"StatusCode":500,"Message":"fail","Data":null}');
    expect(answer(200, 'ok', { id: 1 }).body).toBe(
      '{"StatusCode":200,"Message":"ok","Data":{"id":1}}',
    );
  });
});
