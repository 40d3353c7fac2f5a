import type { LoggerService } from '@nestjs/common';
import { Logger as NestPinoLogger, PinoLogger, type Params } from 'nestjs-pino';
import type { LoggerOptions } from 'pino';

/**
 * Headers that carry a credential: the bearer token, a proxy's own, and cookies, which a browser
 * sends with the console's calls for every application of the domain (a parent domain's session).
 */
const CREDENTIAL_HEADERS = ['req.headers.authorization', 'req.headers["proxy-authorization"]', 'req.headers.cookie'];

/** pino as every process logs: JSON lines at `level`, never a credential (request lines carry the headers). */
export const pinoOptions = (level: string): LoggerOptions => ({ level, redact: CREDENTIAL_HEADERS });

/**
 * A Nest logger that writes pino JSON: the startup line, a failed start, faults of stores, errors
 * of requests. Errors given as the message become a structured `err` field, never a raw stack.
 * Request lines are written by ./request-log.ts.
 */
export function jsonLogger(level: string): LoggerService {
  const params: Params = { pinoHttp: pinoOptions(level) };
  return new NestPinoLogger(new PinoLogger(params), params);
}
