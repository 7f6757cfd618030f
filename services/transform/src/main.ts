import 'reflect-metadata';
import { loadConfigOrExit } from '@kingbridge/config';
import { runNestService } from '@kingbridge/kafka-nest';
import { loadPlans, PlanValidationError } from '@kingbridge/transform-engine';
import { AppModule } from './app.module';
import { TRANSFORM_SERVICE, transformConfigSchema } from './transform.config';

/** Transform: raw topics -> sync plans (mapping, lookups, windowed merges) -> outbound topics. */
runNestService({
  name: TRANSFORM_SERVICE,
  config: () => loadConfigOrExit(transformConfigSchema),
  async module(config, logger) {
    try {
      // Fail fast on a bad plan: every problem as `<file>: <field path>: <reason>`.
      await loadPlans(config.PLANS_DIR);
    } catch (err) {
      const issues =
        err instanceof PlanValidationError
          ? err.issues
          : [(err as Error).message];
      logger.fatal(
        { plansDir: config.PLANS_DIR, issues },
        'invalid sync plans',
      );
      process.stderr.write(
        `transform: invalid sync plans in ${config.PLANS_DIR}\n${issues.map((i) => `  ${i}`).join('\n')}\n`,
      );
      process.exit(1);
    }
    return AppModule.forRoot(config, logger);
  },
  fields: (config) => ({ plansDir: config.PLANS_DIR }),
});
