import { timingSafeEqual } from 'node:crypto';

/**
 * The characters of a token in `Authorization: Bearer <token>` (RFC 6750, b64token): the API reads
 * no other, so a secret presented that way (METRICS_TOKEN, BOOTSTRAP_TOKEN) must be written in them.
 */
const BEARER_TOKEN_CHARACTER = '[A-Za-z0-9._~+/=-]';
export const BEARER_TOKEN_CHARACTERS = `${BEARER_TOKEN_CHARACTER}+`;
const NOT_IN_A_BEARER_TOKEN = new RegExp(`(?!${BEARER_TOKEN_CHARACTER}).`, 'su');

/**
 * Why a token cannot be sent as `Authorization: Bearer`, for a client about to send it ('holds a
 * line feed at character 236, ...', 'is empty'), or undefined. Said without the token: fetch's own refusal of
 * such a header quotes the whole header, the token in it, into the terminal and any log of the run.
 */
export function bearerTokenFault(token: string): string | undefined {
  if (token === '') return 'is empty';
  const outside = NOT_IN_A_BEARER_TOKEN.exec(token);
  if (!outside) return undefined;
  const character = outside[0];
  const named = character === '\n' ? 'a line feed' : `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return `holds ${named} at character ${[...token.slice(0, outside.index)].length + 1}, which no bearer token holds`;
}

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
