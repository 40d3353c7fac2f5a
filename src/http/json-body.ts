import type { FastifyInstance } from 'fastify';

/** Deepest nesting of arrays and objects a body may have: every DTO of the API needs 3 at most. */
export const MAX_JSON_DEPTH = 32;

/** True when `text` nests arrays/objects deeper than `max`: one pass, no recursion, brackets inside strings ignored. */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c) index++; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) {
      if (++depth > max) return true;
    } else if (char === 0x5d || char === 0x7d) depth--;
  }
  return false;
}

/** A 400 Fastify error that the problem filter answers as problem details. */
const tooDeep = () =>
  Object.assign(new Error(`The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`), { statusCode: 400, code: 'JSON_TOO_DEEP' });

/**
 * Bodies are JSON only (Nest would also parse forms, and Fastify plain text: 415 instead). Depth is
 * checked on the text before parsing, so validation never recurses into a hostile body (a stack overflow).
 */
export function acceptJsonBodiesOnly(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (nestsDeeperThan(body as string, MAX_JSON_DEPTH)) return done(tooDeep(), undefined);
    return parse(request, body as string, done);
  });
}
