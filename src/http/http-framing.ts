import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { quoted } from '../shared/quoted';
import { API_SECURITY_HEADERS } from './api-security-headers';
import { endWithProblem } from './client-error';
import { notOneMediaType } from './json-body';
import { isOneMediaType } from './media-type';
import { PROBLEM_CONTENT_TYPE, problem } from './problem';

/**
 * Headers a request may carry once (RFC 9110). Node keeps the first of each and drops the others
 * silently: a proxy that reads the last could check one token or media type while ztkeys acts
 * on another, as with a JSON member named twice.
 */
const SINGLETONS = ['authorization', 'content-type', 'host'];

/** How many times each of SINGLETONS is given, from the raw header list (name, value, name, value, ...). */
function repeatedSingletons(rawHeaders: string[]): { name: string; times: number }[] {
  const times = new Map<string, number>();
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index].toLowerCase();
    if (SINGLETONS.includes(name)) times.set(name, (times.get(name) ?? 0) + 1);
  }
  return [...times].filter(([, count]) => count > 1).map(([name, count]) => ({ name, times: count }));
}

/**
 * Header fields a request may carry. Node keeps its first 2,000 and drops the others silently: the
 * token, a body's Content-Type and Content-Length, a second Content-Type, and the route ran as if
 * they had not been sent. It keeps one more here, so that a request past the bound is refused whole.
 */
export const MAX_HEADER_FIELDS = 2000;

/** Methods whose body Fastify reads, and whose Content-Type it checks before parsing (its bodywith methods; GET, HEAD and TRACE are read bodiless). */
const BODY_METHODS = new Set(['DELETE', 'OPTIONS', 'PATCH', 'PUT', 'POST', 'QUERY']);

/** What Fastify sends every other problem as (it adds the charset to a type set without one): the 417 is written past it. */
const PROBLEM_CONTENT_TYPE_UTF8 = `${PROBLEM_CONTENT_TYPE}; charset=utf-8`;

/**
 * Why a request's Transfer-Encoding cannot be read as it was meant, if it cannot: Node decodes
 * chunked alone and reads `gzip, chunked` as the bytes inside the chunks, where a proxy that
 * decodes gzip reads another body; in HTTP/1.0 the field is faulty framing (RFC 9112 §6.1).
 */
function unreadTransferCoding(request: IncomingMessage): string | undefined {
  const field = request.headers['transfer-encoding'];
  if (field === undefined) return undefined;
  if (request.httpVersion === '1.0') return `Transfer-Encoding in an HTTP/1.0 request is faulty framing (RFC 9112 §6.1): send the body with a Content-Length.`;
  const codings = field.split(',').map((coding) => coding.trim().toLowerCase());
  if (codings.every((coding) => coding === 'chunked')) return undefined;
  return `Transfer-Encoding ${quoted(field)} is not supported: chunked is the only transfer coding read; send the JSON body as it is, chunked or with a Content-Length.`;
}

/**
 * Requests whose framing is ambiguous are refused as problems: a singleton header given twice
 * (400 HEADER_REPEATED), an HTTP/1.1 request without Host (400 HOST_REQUIRED; Node would answer
 * an empty 400 itself, hence `requireHostHeader: false` on the server), an `Expect` other than
 * 100-continue (417, where Node would answer an empty one), and CONNECT, which no route takes
 * (405, where Node would drop the connection without an answer), a transfer coding other than
 * chunked (400 TRANSFER_CODING_UNSUPPORTED, the connection closed), more than
 * MAX_HEADER_FIELDS header fields (431), of which Node would drop the rest silently, and a
 * Content-Type that is not one media type by RFC 9110's grammar (415, as Fastify answers the
 * lists it sees: it read `application/json;charset=utf-8, text/plain` as JSON, where a proxy may
 * read the list's last type). The 417 and the 405 are written past Fastify: they carry the
 * security headers of every API answer themselves.
 */
export function refuseAmbiguousRequests(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const repeated = repeatedSingletons(request.raw.rawHeaders);
    if (repeated.length > 0) {
      const named = repeated.map(({ name, times }) => `${name} is given ${times} times`).join('; ');
      void reply
        .status(400)
        .header('content-type', PROBLEM_CONTENT_TYPE)
        .send(problem(400, 'HEADER_REPEATED', `${named}; give it once: readers could take either value.`));
      return;
    }
    if (request.raw.rawHeaders.length / 2 > MAX_HEADER_FIELDS) {
      const detail = `The request has more than ${MAX_HEADER_FIELDS} header fields; send fewer.`;
      void reply.status(431).header('content-type', PROBLEM_CONTENT_TYPE).send(problem(431, 'HEADERS_TOO_LARGE', detail));
      return;
    }
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      void reply.status(400).header('content-type', PROBLEM_CONTENT_TYPE).send(problem(400, 'HOST_REQUIRED', 'An HTTP/1.1 request must carry a Host header.'));
      return;
    }
    const coding = unreadTransferCoding(request.raw);
    if (coding !== undefined) {
      // Where this request ends is not what every reader of the connection takes it for: nothing more is read from it.
      void reply.status(400).header('content-type', PROBLEM_CONTENT_TYPE).header('connection', 'close').send(problem(400, 'TRANSFER_CODING_UNSUPPORTED', coding));
      return;
    }
    done();
  });
  // Just before Fastify reads the body, where it refuses the Content-Types it cannot read at all.
  fastify.addHook('preParsing', (request, reply, payload, done) => {
    const contentType = request.headers['content-type'];
    if (contentType === undefined || !BODY_METHODS.has(request.method) || isOneMediaType(contentType)) {
      done(null, payload);
      return;
    }
    void reply.status(415).header('content-type', PROBLEM_CONTENT_TYPE).send(problem(415, 'HTTP_415', notOneMediaType(contentType)));
  });
  const server: Server = fastify.server;
  server.maxHeadersCount = MAX_HEADER_FIELDS + 1;
  server.on('checkExpectation', (request: IncomingMessage, response) => {
    const body = JSON.stringify(problem(417, 'EXPECTATION_FAILED', `Expect: ${String(request.headers.expect)} is not supported; only 100-continue is.`));
    response.writeHead(417, { ...API_SECURITY_HEADERS, 'content-type': PROBLEM_CONTENT_TYPE_UTF8, 'content-length': Buffer.byteLength(body), connection: 'close' }).end(body);
  });
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    endWithProblem(socket, 405, 'METHOD_NOT_ALLOWED', 'CONNECT is not supported: this server is no proxy.');
  });
}
