import { z } from 'zod';

export const simulatorsConfigSchema = z.object({
  SIM_ADMIN: z
    .enum(['0', '1', 'true', 'false'])
    .default('0')
    .transform((v) => v === '1' || v === 'true')
    .describe('serve /__admin/* on every simulator'),
  SIM_HOST: z.string().default('127.0.0.1').describe('listen address'),
  SIM_SCENARIO: z
    .string()
    .optional()
    .describe('path of a JSON/YAML scenario file keyed by simulator name'),
  SIM_ONLY: z
    .string()
    .optional()
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : undefined,
    )
    .describe('comma list of simulator names to start (default: all)'),
  SIM_PORT_OFFSET: z.coerce
    .number()
    .int()
    .default(0)
    .describe('added to every default port'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
});
export type SimulatorsConfig = z.infer<typeof simulatorsConfigSchema>;
