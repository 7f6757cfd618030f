/**
 * What the operator commands share, kept apart from the command table (commands.ts loads the commands, so a command
 * importing it would close a circle).
 */
import { UsageError, baseConfigSchema } from '@kingbridge/config';
import { parseUserTime } from '@kingbridge/source-runtime';

/**
 * The environment of the operator commands that reach Kafka and Postgres (a service's names: KAFKA_BROKERS,
 * KAFKA_SECURITY_*, DATABASE_URL), so `kingbridge` runs in any service container with that container's settings.
 */
export const operatorConfigSchema = baseConfigSchema.extend({
  LOG_LEVEL: baseConfigSchema.shape.LOG_LEVEL.default('warn'),
});

/**
 * A time option of an operator command (`--from`, `--since`, ...) read by `parseUserTime` (ISO-8601 with an offset,
 * `yyyy-MM-dd[ HH:mm[:ss]]` in Beijing time, `now-1h`) as epoch ms; one it cannot read is a UsageError naming it.
 */
export function timeOption(
  option: string,
  text: string,
  nowMs = Date.now(),
): number {
  try {
    return parseUserTime(text, nowMs);
  } catch (err) {
    throw new UsageError(`--${option}: ${(err as Error).message}`);
  }
}
