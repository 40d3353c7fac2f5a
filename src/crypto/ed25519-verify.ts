import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { decodeBase64url } from './base64url';
import { checkPublicKey } from './public-key';

const CACHE_LIMIT = 10_000;
/** Parsed keys by their base64url text (null: refused): parsing costs as much as a verification. */
const keyCache = new Map<string, KeyObject | null>();

function keyObject(publicKey: string): KeyObject | null {
  let key = keyCache.get(publicKey);
  if (key === undefined) {
    // OpenSSL accepts small-order and non-canonical keys, under which anyone can forge (R = identity, S = 0).
    // From a JWK, whose x is the key's own base64url text: about a tenth of the cost of DER.
    key = checkPublicKey(publicKey) === undefined ? createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' }) : null;
    if (keyCache.size >= CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value as string);
    keyCache.set(publicKey, key);
  }
  return key;
}

/**
 * Verifies an Ed25519 signature with OpenSSL through node:crypto, under one strict rule:
 * the public key is a canonical encoding of a point of prime order (checkPublicKey), S < L, and
 * the cofactorless equation [S]B = R + [k]A holds (as OpenSSL and libsodium check it; RFC 8032
 * allows it, and it accepts a subset of what the cofactored check accepts). Through node:crypto it runs
 * about 13x the rate of a pure-JS verifier, without blocking the event loop as long.
 * Any malformed input is simply an invalid signature.
 */
export function verifyEd25519(publicKey: string, message: string | Uint8Array, signature: string): boolean {
  const raw = decodeBase64url(publicKey);
  const sig = decodeBase64url(signature);
  if (!raw || raw.length !== 32 || !sig || sig.length !== 64) return false;
  try {
    const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
    const key = keyObject(publicKey);
    return key !== null && verify(null, bytes, key, sig);
  } catch {
    return false;
  }
}
