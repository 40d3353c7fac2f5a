import type { FastifyInstance } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problem } from './problem';

/**
 * Once the server stops (SIGTERM), a request that still arrives on an open connection (behind
 * one in flight, or pipelined) is refused as a problem with Retry-After and Connection: close, so
 * that the client retries on another instance or after the restart. Fastify's own refusal is a
 * bare application/json 503 without either.
 */
export function refuseRequestsWhileStopping(fastify: FastifyInstance): void {
  let stopping = false;
  fastify.addHook('preClose', (done) => {
    stopping = true;
    done();
  });
  fastify.addHook('onRequest', (_request, reply, done) => {
    if (!stopping) return done();
    void reply
      .status(503)
      .headers({ connection: 'close', 'retry-after': '1', 'content-type': PROBLEM_CONTENT_TYPE })
      .send(problem(503, 'SHUTTING_DOWN', 'This server is stopping: nothing of this request was done. Retry shortly.'));
  });
}
