import type { FastifyInstance } from 'fastify';

/**
 * Headers of every answer but the pages (the console and the API docs, whose scripts must run). API answers are one caller's data, a verification code or a challenge among
 * them: no cache keeps them, a browser never takes one for another type, and one opened as a page
 * runs nothing and sits in no frame (OWASP's REST security headers).
 */
const API_ANSWER_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
} as const;

/**
 * What every answer of the pages carries, their 404s and the API docs (Swagger UI, whose inline
 * scripts a script policy would stop) included: no framing by another site, no sniffing. The
 * console's files replace the policy with their whole one (console-static.ts).
 */
const PAGE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "frame-ancestors 'none'",
} as const;

const isPage = (url: string): boolean => url.startsWith('/console') || url.startsWith('/docs');

export function setApiAnswerHeaders(fastify: FastifyInstance): void {
  // onRequest: set before any hook or handler may answer (429, 503 while stopping, a problem).
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(isPage(request.url) ? PAGE_HEADERS : API_ANSWER_HEADERS);
    done();
  });
}
