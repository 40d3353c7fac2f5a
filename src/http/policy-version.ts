import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { problem } from './problem';

/*
 * The org policy's version as HTTP validators (RFC 9110 8.8.3, 13.1.1): GET .../policy gives it
 * as a strong ETag, a PUT names the one it changed in If-Match, so two SUPER_ADMINs setting whole
 * policies at once cannot silently undo each other's fields.
 */

/** The ETag of a policy version: "3". */
export const policyETag = (version: number): string => `"${version}"`;

const ONE_VERSION = /^"([1-9]\d{0,8})"$/;

/** The policy version If-Match names, or undefined without the header or with `*` (any current policy). */
export const IfMatchPolicyVersion = createParamDecorator((_: unknown, context: ExecutionContext): number | undefined => {
  const header = context.switchToHttp().getRequest<FastifyRequest>().headers['if-match'];
  if (header === undefined || header.trim() === '*') return undefined;
  const match = ONE_VERSION.exec(header.trim());
  if (!match) {
    throw new BadRequestException(
      problem(400, 'INVALID_IF_MATCH', 'If-Match must be the one ETag that GET .../policy answered (a quoted version such as "3"), or *.'),
    );
  }
  return Number(match[1]);
});

export const IfMatchPolicyHeader = () =>
  ApiHeader({
    name: 'If-Match',
    required: false,
    description:
      'The ETag of the policy this change is based on (from GET .../policy): if another change came first, nothing is written and the answer is a 412 POLICY_CHANGED; ' +
      'a change already in effect is answered 200 with changed false. Without it (or with *) the whole policy is set whatever came before',
    schema: { type: 'string', pattern: '^("[1-9][0-9]{0,8}"|\\*)$' },
    example: '"3"',
  });

/** The ETag header of an answer that carries the policy. */
export const POLICY_ETAG_HEADER = { ETag: { description: 'The policy version, for If-Match on PUT .../policy', schema: { type: 'string' } } };
