import { describe, expect, it } from 'vitest';
import { UsageError } from '@kingbridge/config';
import { parseDlqArgs } from '../replay-dlq';

describe('dlq command line', () => {
  it('should select a topic dead-letter topic with the topic filters', () => {
    const args = parseDlqArgs([
      'replay',
      'oms.wdt.stockout.raw.v1.dlq',
      '--flow',
      'f1',
      '--offset',
      '3',
      '--offset',
      '5',
      '--dry-run',
    ]);

    expect(args).toEqual({
      store: 'topic',
      command: 'replay',
      topic: 'oms.wdt.stockout.raw.v1.dlq',
      dryRun: true,
      selector: {
        flow: 'f1',
        errorClass: undefined,
        key: undefined,
        offsets: ['3', '5'],
      },
    });
  });

  it('should parse the sink filters when given the documented flags', () => {
    const args = parseDlqArgs([
      'replay',
      'sink',
      '--flow',
      'f1',
      '--error-class',
      'missing_base_data',
      '--since',
      '2026-01-01 08:00',
      '--until',
      '2026-01-02T00:00:00Z',
      '--id',
      '3',
      '--id',
      '4',
      '--status',
      'all',
      '--limit',
      '10',
    ]);

    expect(args).toEqual({
      store: 'sink',
      command: 'replay',
      json: false,
      dryRun: false,
      filter: {
        flow: 'f1',
        errorClass: 'missing_base_data',
        since: new Date('2026-01-01T00:00:00Z'),
        until: new Date('2026-01-02T00:00:00Z'),
        ids: ['3', '4'],
        status: 'all',
        limit: 10,
      },
    });
  });

  it.each([
    [['drop', 'sink'], /unknown command drop/],
    [['list'], /list needs <topic.dlq> or sink/],
    [['list', 'sink', '--since', 'yesterday'], /--since: not a time/],
    [['list', 'sink', '--id', 'x'], /--id\.0: expected a number/],
    [['list', 'sink', '--status', 'gone'], /--status/],
    [['list', 'a.dlq', '--since', 'now-1h'], /--since selects the sink/],
    [['list', 'sink', '--offset', '1'], /--offset selects a topic/],
    [['list', 'sink', '--bogus'], /--bogus/],
  ])('should refuse %j naming the problem', (argv, message) => {
    expect(() => parseDlqArgs(argv)).toThrow(UsageError);
    expect(() => parseDlqArgs(argv)).toThrow(message);
  });
});
