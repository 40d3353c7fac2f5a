import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import pino from 'pino';
import { everyTextShown } from '../shared/hidden-characters';
import { pinoOptions } from './json-logger';

/**
 * What the OIDC provider sends the browser back to the console with (authorization code flow):
 * the code, a token with the PKCE verifier the tab holds, and the state that binds it to the tab.
 */
const OIDC_RETURN_PATH = '/console';
const OIDC_RETURN_FIELDS = new Set(['code', 'state']);

/** A query field's name as the query parser reads it (`%63ode` is `code`). */
function fieldName(part: string): string {
  const name = part.split('=')[0].replace(/\+/g, ' ');
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/** The URL and decoded query of a request to the console, the OIDC return's fields written `[Redacted]`; other requests' as they are. */
function withoutOidcReturn(url: string, query: unknown): { url: string; query: unknown } {
  const at = url.indexOf('?');
  if (!url.startsWith(OIDC_RETURN_PATH) || at < 0) return { url, query };
  const parts = url.slice(at + 1).split('&').map((part) => (OIDC_RETURN_FIELDS.has(fieldName(part)) ? `${part.split('=')[0]}=[Redacted]` : part));
  const fields = Object.entries(query as Record<string, unknown>).map(([name, value]) => [name, OIDC_RETURN_FIELDS.has(name) ? '[Redacted]' : value]);
  return { url: `${url.slice(0, at)}?${parts.join('&')}`, query: Object.fromEntries(fields) };
}

/** Paths whose requests are not logged: probes hit them every few seconds. */
const QUIET_PATHS = ['/health', '/metrics'];

/**
 * One request's line: the fields pino-http wrote (`req`, `res`, `responseTime`), `req.id` being the
 * request id (./request-id.ts). The decoded query and the headers are the client's text: JSON
 * escapes C0 controls but not C1, separators or bidirectional overrides, which would act on
 * whoever reads the log in a terminal, so each is written as its escape. The URL is ASCII. The
 * console's OIDC return leaves its code and state out (withoutOidcReturn), as credentials' headers are.
 */
function requestLine(request: FastifyRequest, reply: FastifyReply) {
  const { raw } = request;
  const { url, query } = withoutOidcReturn(raw.url ?? '', request.query);
  return {
    req: { id: request.id, method: raw.method, url, query: everyTextShown(query), headers: everyTextShown(raw.headers), remoteAddress: raw.socket?.remoteAddress, remotePort: raw.socket?.remotePort },
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
