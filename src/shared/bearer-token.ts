import { timingSafeEqual } from 'node:crypto';

/**
 * The characters of a token in `Authorization: Bearer <token>` (RFC 6750, b64token): the API reads
 * no other, so a secret presented that way (METRICS_TOKEN, BOOTSTRAP_TOKEN) must be written in them.
 */
export const BEARER_TOKEN_CHARACTERS = '[A-Za-z0-9._~+/=-]+';

// The scheme in any case (RFC 9110 11.1: "Bearer", "bearer"), then one or more spaces (RFC 6750 2.1).
const BEARER = new RegExp(`^Bearer +(${BEARER_TOKEN_CHARACTERS})$`, 'i');

/** The token of an `Authorization: Bearer <token>` header; undefined for any other header or none. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  return match?.[1];
}

/** Compares a presented secret with the configured one in time that does not depend on where they differ. */
export const sameSecret = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};
