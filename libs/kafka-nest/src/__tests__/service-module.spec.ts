import 'reflect-metadata';
import { ADMIN_TOKEN, createLogger } from '@kingbridge/observability';
import { Inject, Injectable } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { serviceAppModule, ServiceContext } from '../index';

const CONFIG = Symbol('TEST_CONFIG');
const LOGGER = Symbol('TEST_LOGGER');

interface TestConfig {
  readonly GREETING: string;
  readonly ADMIN_TOKEN?: string;
}

@Injectable()
class Greeter {
  constructor(@Inject(CONFIG) readonly config: TestConfig) {}
}

const TestAppModule = serviceAppModule<TestConfig>({
  service: 'test-service',
  configToken: CONFIG,
  loggerToken: LOGGER,
  adminToken: (config) => config.ADMIN_TOKEN,
  parts: (config) => ({
    providers: [Greeter, { provide: 'greeting', useValue: config.GREETING }],
  }),
});

async function context(config: TestConfig) {
  const logger = createLogger('test-service', 'error');
  const app = await NestFactory.createApplicationContext(
    TestAppModule.forRoot(config, logger),
    { logger: false },
  );
  return { app, logger };
}

describe('serviceAppModule', () => {
  it('should provide the config, the logger, the service context and the parts when forRoot is called', async () => {
    const config = { GREETING: 'hi', ADMIN_TOKEN: 'secret' };

    const { app, logger } = await context(config);

    expect(app.get(CONFIG)).toBe(config);
    expect(app.get(LOGGER)).toBe(logger);
    expect(app.get(ServiceContext).logger).toBe(logger);
    expect(app.get(Greeter).config).toBe(config);
    expect(app.get('greeting')).toBe('hi');
    expect(app.get(ADMIN_TOKEN)).toBe('secret');
    await app.close();
  });

  it('should leave the admin token unset when the config has none', async () => {
    const { app } = await context({ GREETING: 'hi' });

    expect(app.get(ADMIN_TOKEN)).toBeUndefined();
    await app.close();
  });

  it('should be its own module class when built', () => {
    const module = TestAppModule.forRoot(
      { GREETING: 'hi' },
      createLogger('test-service', 'error'),
    );

    expect(module.module).toBe(TestAppModule);
  });
});
