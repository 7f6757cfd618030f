import 'reflect-metadata';
import { loadConfigOrExit } from '@kingbridge/config';
import { createLogger, NestLoggerAdapter } from '@kingbridge/observability';
import { loadPlans, PlanValidationError } from '@kingbridge/transform-engine';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { TRANSFORM_SERVICE, transformConfigSchema } from './transform.config';

/** Transform: raw topics -> sync plans (mapping, lookups, windowed merges) -> outbound topics. */
async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(transformConfigSchema);
  const logger = createLogger(TRANSFORM_SERVICE, config.LOG_LEVEL);
  try {
    // Fail fast on a bad plan: every problem as `<file>: <field path>: <reason>`.
    await loadPlans(config.PLANS_DIR);
  } catch (err) {
    const issues =
      err instanceof PlanValidationError
        ? err.issues
        : [(err as Error).message];
    logger.fatal({ plansDir: config.PLANS_DIR, issues }, 'invalid sync plans');
    process.stderr.write(
      `transform: invalid sync plans in ${config.PLANS_DIR}\n${issues.map((i) => `  ${i}`).join('\n')}\n`,
    );
    process.exit(1);
  }
  const app = await NestFactory.create(AppModule.forRoot(config, logger), {
    logger: new NestLoggerAdapter(logger),
  });
  app.enableShutdownHooks();
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  const address = app.getHttpServer().address() as { port: number } | null;
  logger.info(
    { port: address?.port ?? config.HTTP_PORT, plansDir: config.PLANS_DIR },
    'http listening',
  );
}

void bootstrap();
