import type { OpenAPIObject } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, problem } from './problem';
import { PATH_PARAMETER_TOO_LONG } from './router-refusals';

type Methods = 'every' | 'with a body';

/**
 * Refusals of a request before any operation reads it (Node's parser, Fastify, http-framing.ts):
 * any operation can answer them, so each is declared once (components/responses) and referenced
 * by every operation it can reach, for a generated client to know them.
 */
const REFUSALS: [status: number, name: string, description: string, code: string, methods: Methods][] = [
  [408, 'RequestTimeout', 'The request did not arrive in time (REQUEST_TIMEOUT_MS)', 'REQUEST_TIMEOUT', 'every'],
  [413, 'ContentTooLarge', 'The body is larger than this server accepts', 'HTTP_413', 'with a body'],
  [414, 'UriTooLong', 'A path parameter is longer than this server accepts', PATH_PARAMETER_TOO_LONG, 'every'],
  [415, 'UnsupportedMediaType', 'The body is not application/json', 'HTTP_415', 'with a body'],
  [417, 'ExpectationFailed', 'An Expect header other than 100-continue', 'EXPECTATION_FAILED', 'every'],
  [431, 'HeadersTooLarge', 'The request line or headers are larger than this server accepts', 'HEADERS_TOO_LARGE', 'every'],
];

/** The document with the refusals before operations declared, on the operations they can reach. */
export function withRefusalsBeforeOperations(document: OpenAPIObject): OpenAPIObject {
  const responses = Object.fromEntries(
    REFUSALS.map(([status, name, description, code]) => [
      name,
      { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' }, example: problem(status, code, description) } } },
    ]),
  );
  const paths = Object.fromEntries(
    Object.entries(document.paths).map(([path, item]) => [
      path,
      Object.fromEntries(
        Object.entries(item).map(([method, operation]) => {
          const reached = REFUSALS.filter(([, , , , methods]) => methods === 'every' || !['get', 'head'].includes(method));
          const refs = Object.fromEntries(reached.map(([status, name]) => [String(status), { $ref: `#/components/responses/${name}` }]));
          return [method, { ...operation, responses: { ...refs, ...operation.responses } }];
        }),
      ),
    ]),
  );
  return { ...document, paths, components: { ...document.components, responses: { ...document.components?.responses, ...responses } } };
}
