import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { endWithProblem } from './client-error';
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
 * Requests whose framing is ambiguous are refused as problems: a singleton header given twice
 * (400 HEADER_REPEATED), an HTTP/1.1 request without Host (400 HOST_REQUIRED; Node would answer
 * an empty 400 itself, hence `requireHostHeader: false` on the server), an `Expect` other than
 * 100-continue (417, where Node would answer an empty one), and CONNECT, which no route takes
 * (405, where Node would drop the connection without an answer).
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
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      void reply.status(400).header('content-type', PROBLEM_CONTENT_TYPE).send(problem(400, 'HOST_REQUIRED', 'An HTTP/1.1 request must carry a Host header.'));
      return;
    }
    done();
  });
  const server: Server = fastify.server;
  server.on('checkExpectation', (request: IncomingMessage, response) => {
    const body = JSON.stringify(problem(417, 'EXPECTATION_FAILED', `Expect: ${String(request.headers.expect)} is not supported; only 100-continue is.`));
    response.writeHead(417, { 'content-type': PROBLEM_CONTENT_TYPE, 'content-length': Buffer.byteLength(body), connection: 'close' }).end(body);
  });
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    endWithProblem(socket, 405, 'METHOD_NOT_ALLOWED', 'CONNECT is not supported: this server is no proxy.');
  });
}
