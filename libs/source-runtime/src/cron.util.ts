import { Cron } from 'croner';

/** Where users live: crons they type are read in Beijing time unless told otherwise. */
export const CRON_DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** An IANA time zone (`Asia/Shanghai`) or a fixed offset in minutes east of UTC (480). */
export type CronZone = string | number;

/**
 * A 5-field cron (`minute hour day-of-month month day-of-week`, croner's
 * syntax: `*`, numbers, names, lists, ranges, steps, `L`, `#`), read in a time
 * zone. When both day fields are restricted a day matching either fires, as in
 * Vixie cron.
 */
export interface CronSchedule {
  readonly expression: string;
  readonly zone: CronZone;
  /** First matching minute strictly after `after`. */
  next(after: Date): Date;
}

const FIELDS = [
  'minute',
  'hour',
  'day of month',
  'month',
  'day of week',
] as const;

/** Throws an `Error` naming the expression and, where it can, the refused field. */
export function parseCron(
  expression: string,
  zone: CronZone = CRON_DEFAULT_TIME_ZONE,
): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== FIELDS.length)
    throw new Error(`cron "${expression}": expected 5 fields`);
  const where =
    typeof zone === 'number' ? { utcOffset: zone } : { timezone: zone };
  if (typeof zone === 'string') assertTimeZone(expression, zone);
  const cron = compile(parts.join(' '), where, expression, parts);
  return {
    expression,
    zone,
    next(after: Date): Date {
      const at = cron.nextRun(after);
      if (!at) throw new Error(`cron "${expression}" never fires`);
      return at;
    },
  };
}

function compile(
  pattern: string,
  where: { utcOffset: number } | { timezone: string },
  expression: string,
  parts: readonly string[],
): Cron {
  try {
    return new Cron(pattern, { ...where, paused: true });
  } catch (error) {
    const reason = (error as Error).message.replace(/^CronPattern: /, '');
    // Name the field: the first one croner refuses on its own.
    const field = FIELDS.find((_name, i) => {
      try {
        new Cron(parts.map((p, j) => (i === j ? p : '*')).join(' '), {
          paused: true,
        });
        return false;
      } catch {
        return true;
      }
    });
    throw new Error(
      field
        ? `cron "${expression}": bad ${field} "${parts[FIELDS.indexOf(field)] ?? ''}" (${reason})`
        : `cron "${expression}": ${reason}`,
      { cause: error },
    );
  }
}

function assertTimeZone(expression: string, zone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new Error(`cron "${expression}": unknown time zone "${zone}"`);
  }
}
