import { loadConfig } from '@kingbridge/config';
import { z } from 'zod';

/**
 * Named points of the window emitter where a test can make the process die as `kill -9` would:
 * `after-emission-commit`: the emission transaction (documents in the outbox, windows emitted) committed, nothing
 * produced yet; `after-outbox-produce`: an outbox batch was acknowledged by Kafka, its rows not deleted yet.
 */
export const FAULT_POINTS = [
  'after-emission-commit',
  'after-outbox-produce',
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

/** Called at each fault point with the document keys concerned; dies when the configured fault matches. */
export type FaultHook = (
  point: FaultPoint,
  documentKeys: readonly string[],
) => void;

export const faultInjectionConfigSchema = z.object({
  KINGBRIDGE_TEST_FAULTS: z
    .enum(['0', '1'])
    .default('0')
    .describe(
      'tests only: 1 honours TRANSFORM_TEST_FAULT; never set in a deployment',
    ),
  TRANSFORM_TEST_FAULT: z
    .string()
    .regex(
      new RegExp(`^(${FAULT_POINTS.join('|')}):.+$`),
      `expected <point>:<document key substring>, point one of ${FAULT_POINTS.join(', ')}`,
    )
    .optional()
    .describe(
      'tests only: <point>:<substring> SIGKILLs the transform the first time a document whose key contains the substring passes the point',
    ),
});

/**
 * Test-only fault injection: `TRANSFORM_TEST_FAULT=<point>:<substring>` SIGKILLs the process when a document
 * whose key contains the substring passes the point. Honoured only with `KINGBRIDGE_TEST_FAULTS=1`, otherwise
 * undefined. A malformed value stops the start naming the variable.
 */
export function loadFaultInjection(
  env?: Readonly<Record<string, string | undefined>>,
  die: () => void = () => process.kill(process.pid, 'SIGKILL'),
): FaultHook | undefined {
  const config = loadConfig(faultInjectionConfigSchema, env);
  const fault = config.TRANSFORM_TEST_FAULT;
  if (config.KINGBRIDGE_TEST_FAULTS !== '1' || fault === undefined)
    return undefined;
  const at = fault.indexOf(':');
  const point = fault.slice(0, at) as FaultPoint;
  const match = fault.slice(at + 1);
  return (p, keys) => {
    if (p === point && keys.some((k) => k.includes(match))) die();
  };
}
