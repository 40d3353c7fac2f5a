/**
 * The characters of a token in `Authorization: Bearer <token>` (RFC 6750, b64token): the API reads
 * no other, so a secret presented that way (METRICS_TOKEN, BOOTSTRAP_TOKEN) must be written in them.
 */
export const BEARER_TOKEN_CHARACTERS = '[A-Za-z0-9._~+/=-]+';
