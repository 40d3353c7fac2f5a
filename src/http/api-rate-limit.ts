import type { FastifyInstance } from 'fastify';
import { addressKey } from '../rate-limits/address-key';
import { RateLimitExceeded, type RateLimits } from '../rate-limits/rate-limits';
import { PROBLEM_CONTENT_TYPE } from './problem';
import { rateLimitAnswer } from './rate-limit-answer';

/**
 * Every API v1 request counts against its client address (the socket's, or X-Forwarded-For from
 * TRUSTED_PROXIES; an IPv6 one by its /64) before anything else runs: token checks and body parsing cost too.
 */
export function limitApiRequestsPerAddress(fastify: FastifyInstance, limits: RateLimits): void {
  fastify.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/v1/')) return;
    try {
      await limits.consume('api_per_address', addressKey(request.ip));
    } catch (error) {
      if (!(error instanceof RateLimitExceeded)) throw error;
      const { body, headers } = rateLimitAnswer(error);
      return reply.status(429).headers({ ...headers, 'content-type': PROBLEM_CONTENT_TYPE }).send(body);
    }
  });
}
