import type { LoggerService } from '@nestjs/common';
import { Logger as NestPinoLogger, PinoLogger, type Params } from 'nestjs-pino';
import type { Options } from 'pino-http';

/** Paths whose requests are not logged: probes hit them every few seconds. */
const QUIET_PATHS = ['/health', '/metrics'];

/** pino-http as every process logs: JSON lines, the request id (Fastify's, see request-id.ts), no probe noise, no credentials. */
export function httpLogOptions(level: string): Options {
  return {
    level,
    // Nest mounts the middleware under a prefix, which rewrites req.url: originalUrl is what was asked.
    autoLogging: { ignore: (request) => QUIET_PATHS.some((path) => ((request as { originalUrl?: string }).originalUrl ?? request.url ?? '').startsWith(path)) },
    redact: ['req.headers.authorization'],
  };
}

export const loggerParams = (level: string): Params => ({ pinoHttp: httpLogOptions(level) });

/**
 * A Nest logger that writes pino JSON, for what a process logs before (or without) its Nest app:
 * the startup line, a failed start, faults of stores opened before Nest. Errors given as the
 * message become a structured `err` field, never a raw stack.
 */
export function jsonLogger(level: string): LoggerService {
  const params = loggerParams(level);
  return new NestPinoLogger(new PinoLogger(params), params);
}
