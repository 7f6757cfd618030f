/**
 * Minimal 5-field cron (`minute hour day-of-month month day-of-week`, UTC
 * unless a timezone offset is given): `*`, numbers, lists, ranges and steps.
 * Enough for remediation schedules like `0 0 * * *` without a dependency.
 */
export interface CronSchedule {
  readonly expression: string;
  /** First matching minute strictly after `after`. */
  next(after: Date): Date;
}

const FIELDS: ReadonlyArray<{ min: number; max: number; name: string }> = [
  { min: 0, max: 59, name: 'minute' },
  { min: 0, max: 23, name: 'hour' },
  { min: 1, max: 31, name: 'day of month' },
  { min: 1, max: 12, name: 'month' },
  { min: 0, max: 7, name: 'day of week' },
];

export function parseCron(
  expression: string,
  utcOffsetMinutes = 0,
): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5)
    throw new Error(`cron "${expression}": expected 5 fields`);
  const sets = parts.map((part, i) => parseField(part, FIELDS[i]!, expression));
  const [minutes, hours, days, months, weekdays] = sets as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  if (weekdays.has(7)) weekdays.add(0);
  const dayRestricted = parts[2] !== '*';
  const weekdayRestricted = parts[4] !== '*';
  return {
    expression,
    next(after: Date): Date {
      const offset = utcOffsetMinutes * 60_000;
      let t = Math.floor((after.getTime() + offset) / 60_000) * 60_000 + 60_000;
      const limit = t + 366 * 24 * 3600_000 * 5;
      while (t < limit) {
        const d = new Date(t);
        const dayOk =
          dayRestricted && weekdayRestricted
            ? days.has(d.getUTCDate()) || weekdays.has(d.getUTCDay())
            : days.has(d.getUTCDate()) && weekdays.has(d.getUTCDay());
        if (!months.has(d.getUTCMonth() + 1) || !dayOk) {
          t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
          continue;
        }
        if (!hours.has(d.getUTCHours())) {
          t = Date.UTC(
            d.getUTCFullYear(),
            d.getUTCMonth(),
            d.getUTCDate(),
            d.getUTCHours() + 1,
          );
          continue;
        }
        if (minutes.has(d.getUTCMinutes())) return new Date(t - offset);
        t += 60_000;
      }
      throw new Error(`cron "${expression}" never fires`);
    },
  };
}

function parseField(
  part: string,
  field: { min: number; max: number; name: string },
  expr: string,
): Set<number> {
  const out = new Set<number>();
  for (const item of part.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
    if (!m) throw new Error(`cron "${expr}": bad ${field.name} "${item}"`);
    const step = m[4] ? Number(m[4]) : 1;
    let lo = field.min;
    let hi = field.max;
    if (m[1] !== '*') {
      lo = Number(m[2]);
      hi = m[3] !== undefined ? Number(m[3]) : m[4] ? field.max : lo;
    }
    if (lo < field.min || hi > field.max || lo > hi || step < 1) {
      throw new Error(
        `cron "${expr}": ${field.name} out of range in "${item}"`,
      );
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}
