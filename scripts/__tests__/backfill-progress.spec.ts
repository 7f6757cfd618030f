import { describe, expect, it } from 'vitest';
import { ProgressReporter } from '../backfill';

function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = {
    isTTY,
    text: '',
    write(chunk: string) {
      s.text += chunk;
      return true;
    },
  };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

describe('backfill ProgressReporter', () => {
  it('should draw a bar with windows, records, rate and ETA when stderr is a TTY', () => {
    const out = fakeStream(true);
    const progress = new ProgressReporter(out);
    progress.update({ windowsDone: 0, windowsTotal: 4, records: 0 });
    progress.update({ windowsDone: 2, windowsTotal: 4, records: 120 });
    expect(out.text).toMatch(
      /\r\[#{15}-{15}\] 2\/4 windows \| 120 records \| [\d.]+ rec\/s \| ETA \d\d:\d\d:\d\d/,
    );
    expect(out.text).not.toContain('\n');
  });

  it('should print plain lines when stderr is not a TTY', () => {
    const out = fakeStream(false);
    const progress = new ProgressReporter(out);
    progress.update({ windowsDone: 1, windowsTotal: 3, records: 10 });
    progress.update({ windowsDone: 3, windowsTotal: 3, records: 30 }, true);
    expect(out.text.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(
        /^backfill: 1\/3 windows \| 10 records \| [\d.]+ rec\/s \| ETA --:--:--$/,
      ),
      expect.stringMatching(
        /^backfill: 3\/3 windows \| 30 records \| [\d.]+ rec\/s \| ETA 00:00:00$/,
      ),
    ]);
  });
});
