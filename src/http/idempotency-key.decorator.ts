import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { IdempotencyKey } from '../application/idempotency';
import { problem } from './problem';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** 1-255 visible ASCII characters, bare (as Stripe's clients send it) or as the draft's quoted sf-string. */
const KEY = /^(?:"([\x21\x23-\x5b\x5d-\x7e]{1,255})"|([\x21\x23-\x5b\x5d-\x7e]{1,255}))$/;

/**
 * The request's Idempotency-Key (draft-ietf-httpapi-idempotency-key-header), with the digest of the
 * request it came with (method, path and body: a retry sends the same), or undefined without one.
 * A malformed key is a 400: acting without it would lose the retry safety the client asked for.
 */
export const Idempotency = createParamDecorator((_: unknown, context: ExecutionContext): IdempotencyKey | undefined => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const header = request.headers['idempotency-key'];
  if (header === undefined) return undefined;
  const match = typeof header === 'string' ? KEY.exec(header) : null;
  if (!match) {
    throw new BadRequestException(
      problem(400, 'INVALID_IDEMPOTENCY_KEY', `${IDEMPOTENCY_KEY_HEADER} must be one value of 1-255 visible ASCII characters (no space, quote or backslash), such as a UUID.`),
    );
  }
  return { key: match[1] ?? match[2], ...requestDigests(request.method, request.url, request.body ?? null) };
});

/**
 * The digest of a request: its method, path and body, the body's members in RFC 8785's canonical
 * order, so a retry whose JSON lists them in another order is the same request. Before 2026-12-08
 * the members were taken in the order sent: that digest too, when it differs, for the keys bound then.
 */
export function requestDigests(method: string, url: string, body: unknown): Pick<IdempotencyKey, 'requestDigest' | 'earlierDigests'> {
  const digest = (text: string | undefined) => createHash('sha256').update(`${method} ${url}\n${text}`).digest('base64url');
  const requestDigest = digest(canonicalize(body));
  const asSent = digest(JSON.stringify(body));
  return asSent === requestDigest ? { requestDigest } : { requestDigest, earlierDigests: [asSent] };
}

/** The header in the OpenAPI document (its 422 is the operation's own); openApiDocument makes it one reusable parameter. */
export const IdempotencyKeyHeader = () =>
  ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description:
        'Makes a retry safe (README, API v1): the same key with the same request answers what its first request answered, status and body, without acting again; ' +
        'two at once act once. The same key with another request is a 422 IDEMPOTENCY_KEY_REUSED. Keys are the caller\'s own and bound for as long as the log holds the command (no expiry). ' +
        'A malformed key is a 400 INVALID_IDEMPOTENCY_KEY. 1-255 visible ASCII characters but quote and backslash (a UUID), bare or quoted',
      schema: { type: 'string', minLength: 1, maxLength: 257, pattern: '^"?[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,255}"?$' },
      example: '5f2c1b7e-2a4d-4c1e-9a0b-7d3e8f6a1c24',
  });
