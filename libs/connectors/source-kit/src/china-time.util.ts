const CHINA_OFFSET_MS = 8 * 3600_000;

/** `yyyy-MM-dd HH:mm:ss` in Beijing time (UTC+8, no DST), as the platform expects. */
export function formatChinaTime(date: Date): string {
  const iso = new Date(date.getTime() + CHINA_OFFSET_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** `yyyy-MM-dd HH:mm:ss` (Beijing time) -> ISO-8601 with `+08:00`; undefined when not that shape. */
export function chinaTimeToIso(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?$/.exec(
    value.trim(),
  );
  if (!m) return undefined;
  return `${m[1]}T${m[2]}${m[3] ?? ''}+08:00`;
}
