import type { LoggerService } from '@nestjs/common';
import { Logger as NestPinoLogger, PinoLogger, type Params } from 'nestjs-pino';
import type { LoggerOptions } from 'pino';

/** pino as every process logs: JSON lines at `level`, never a credential (request lines carry the headers). */
export const pinoOptions = (level: string): LoggerOptions => ({ level, redact: ['req.headers.authorization'] });

/**
 * A Nest logger that writes pino JSON: the startup line, a failed start, faults of stores, errors
 * of requests. Errors given as the message become a structured `err` field, never a raw stack.
 * Request lines are written by ./request-log.ts.
 */
export function jsonLogger(level: string): LoggerService {
  const params: Params = { pinoHttp: pinoOptions(level) };
  return new NestPinoLogger(new PinoLogger(params), params);
}
