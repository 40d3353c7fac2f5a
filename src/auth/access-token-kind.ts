import type { JWTPayload, ProtectedHeaderParameters } from 'jose';

/** A `typ` in the form RFC 7515 §4.1.9 compares: case-insensitive, `application/` left out. */
const normalType = (typ: string): string => typ.toLowerCase().replace(/^application\//, '');

/**
 * Claims that make a token another kind than an access token (RFC 8725 §3.12: rules that no two
 * kinds both pass), whatever its `typ`: providers often type their other tokens `JWT`, or not at all.
 */
const OTHER_KINDS: ReadonlyArray<[claim: string, kind: string]> = [
  // RFC 8417: a security event token, of which an OpenID Connect back-channel logout token is one.
  ['events', 'a security event token (it carries `events`: a logout token, say)'],
  // OpenID Connect Core 1.0 §3.1.3.6, §3.3.2.11: they bind an ID token to what was issued with it.
  ['at_hash', 'an ID token (it carries `at_hash`)'],
  ['c_hash', 'an ID token (it carries `c_hash`)'],
];

/**
 * Why a token whose signature holds is not an access token of this API, or undefined when it is one:
 * its `typ` must be one of `types` (`JWT` also admits a token without `typ`, RFC 7519 §5.1), and no
 * claim may make it another kind. An ID token, a logout token or any JWT the provider signs for
 * another purpose would otherwise open the API as its subject.
 */
export function notAnAccessToken(header: ProtectedHeaderParameters, payload: JWTPayload, types: readonly string[]): string | undefined {
  const accepted = `this API accepts the types ${types.join(', ')} (JWT_TYPES)`;
  const allowed = new Set(types.map(normalType));
  if (header.typ === undefined) {
    if (!allowed.has('jwt')) return `The token has no type (typ), not an access token: ${accepted}.`;
  } else if (typeof header.typ !== 'string' || !allowed.has(normalType(header.typ))) {
    return `The token is of type ${JSON.stringify(header.typ)}, not an access token: ${accepted}.`;
  }
  const other = OTHER_KINDS.find(([claim]) => payload[claim] !== undefined);
  return other && `The token is ${other[1]}, not an access token.`;
}
