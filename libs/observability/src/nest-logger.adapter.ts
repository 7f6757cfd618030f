import type { LoggerService, LogLevel } from '@nestjs/common';
import type { Logger } from 'pino';

type PinoLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** Nest's start-up chatter (one line per module and route) goes to debug. */
const CHATTY_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestMicroservice',
]);

/**
 * Nest `LoggerService` over the pino logger: Nest's own logs and
 * `new Logger(ctx)` calls become JSON lines with `context`. Use as
 * `NestFactory.create(AppModule, { logger: new NestLoggerAdapter(logger) })`.
 */
export class NestLoggerAdapter implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params, true);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Levels are owned by LOG_LEVEL on the pino logger; Nest's list is ignored. */
  setLogLevels(_levels: LogLevel[]): void {}

  private write(
    level: PinoLevel,
    message: unknown,
    params: unknown[],
    isError = false,
  ): void {
    const rest = [...params];
    // Nest passes the context last, and for errors the stack before it.
    const context =
      rest.length > 0 && typeof rest[rest.length - 1] === 'string'
        ? (rest.pop() as string)
        : undefined;
    const stack =
      isError && typeof rest[0] === 'string'
        ? (rest.shift() as string)
        : undefined;
    const effective =
      level === 'info' && context && CHATTY_CONTEXTS.has(context)
        ? 'debug'
        : level;
    const fields: Record<string, unknown> = {};
    if (context) fields['context'] = context;
    if (stack) fields['stack'] = stack;
    if (rest.length > 0) fields['params'] = rest;
    if (message instanceof Error) {
      this.logger[effective]({ ...fields, err: message }, message.message);
    } else if (message !== null && typeof message === 'object') {
      this.logger[effective]({ ...fields, ...(message as object) });
    } else {
      this.logger[effective](fields, String(message));
    }
  }
}
