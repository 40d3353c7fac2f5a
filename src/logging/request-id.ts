import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

/** What a caller's (or a proxy's) request or correlation id may hold: short, and safe to log and to store in events. */
export const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The id of one HTTP request (Fastify's genReqId): the caller's X-Request-Id when it is
 * acceptable, else a fresh UUID. Every log line of the request carries it and it becomes the
 * correlation id of the events the request produces, so one id follows the request everywhere.
 */
export function requestIdFor(request: IncomingMessage): string {
  const header = request.headers[REQUEST_ID_HEADER];
  return typeof header === 'string' && ACCEPTED_ID.test(header) ? header : randomUUID();
}

/** Answers every request's id in X-Request-Id, so a caller can quote it. */
export function answerRequestIds(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}
