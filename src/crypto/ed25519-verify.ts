import { decodeBase64url } from './base64url';
import { cryptoPrimitives } from './crypto-primitives';
import { checkPublicKey } from './public-key';

/**
 * Verifies an Ed25519 signature under one strict rule: the public key is a canonical encoding of
 * a point of prime order (checkPublicKey: OpenSSL accepts small-order and non-canonical keys,
 * under which anyone can forge with R = identity, S = 0), S < L, and the cofactorless equation
 * [S]B = R + [k]A holds (as OpenSSL and libsodium check it; RFC 8032 allows it, and it accepts a
 * subset of what the cofactored check accepts), by the platform's primitives (crypto-primitives.ts).
 * Any malformed input is simply an invalid signature; the platform throwing on well-formed input
 * is a fault of the platform, not a verdict on the signature, so it is thrown on (the audit
 * verifier's VerifierFault), never read as "does not verify".
 */
export function verifyEd25519(publicKey: string, message: string | Uint8Array, signature: string): boolean {
  const raw = decodeBase64url(publicKey);
  const sig = decodeBase64url(signature);
  if (!raw || raw.length !== 32 || !sig || sig.length !== 64 || checkPublicKey(publicKey) !== undefined) return false;
  return cryptoPrimitives().verifyEd25519(publicKey, typeof message === 'string' ? Buffer.from(message, 'utf8') : message, sig);
}
