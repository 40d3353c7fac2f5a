import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import pino from 'pino';
import { everyTextShown } from '../shared/hidden-characters';
import { pinoOptions } from './json-logger';

/** Paths whose requests are not logged: probes hit them every few seconds. */
const QUIET_PATHS = ['/health', '/metrics'];

/**
 * One request's line: the fields pino-http wrote (`req`, `res`, `responseTime`), `req.id` being the
 * request id (./request-id.ts). The decoded query and the headers are the client's text: JSON
 * escapes C0 controls but not C1, separators or bidirectional overrides, which would act on
 * whoever reads the log in a terminal, so each is written as its escape. The URL is ASCII.
 */
function requestLine(request: FastifyRequest, reply: FastifyReply) {
  const { raw } = request;
  return {
    req: { id: request.id, method: raw.method, url: raw.url, query: everyTextShown(request.query), headers: everyTextShown(raw.headers), remoteAddress: raw.socket?.remoteAddress, remotePort: raw.socket?.remotePort },
    res: { statusCode: reply.statusCode, headers: reply.raw.getHeaders() },
    responseTime: Math.round(reply.elapsedTime),
  };
}

/**
 * Logs each request once, when its answer is sent: an error line for a 5xx, else an info line.
 * A hook rather than pino-http: no logger per request, no context tracking around every request
 * (issue 14: ~9% of a request's CPU), and nothing at all when the level logs neither.
 */
export function logRequests(fastify: FastifyInstance, level: string): void {
  const logger = pino(pinoOptions(level));
  if (!logger.isLevelEnabled('error')) return;
  fastify.addHook('onResponse', (request, reply, done) => {
    const failed = reply.statusCode >= 500;
    const url = request.raw.url ?? '';
    if (logger.isLevelEnabled(failed ? 'error' : 'info') && !QUIET_PATHS.some((path) => url.startsWith(path))) {
      if (failed) logger.error(requestLine(request, reply), 'request errored');
      else logger.info(requestLine(request, reply), 'request completed');
    }
    done();
  });
}
