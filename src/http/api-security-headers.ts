/**
 * The security headers of every answer of the API, the pages (the console and the API docs) aside:
 * API answers are one caller's data, a verification code or a challenge among them, so no cache
 * keeps them, a browser never takes one for another type, and one opened as a page runs nothing
 * and sits in no frame (OWASP's REST security headers). Refusals written before Fastify has the
 * request (client-error.ts, the 417 of http-framing.ts) carry them as every other answer does.
 */
export const API_SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
} as const;
