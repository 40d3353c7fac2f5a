import * as ed from '@noble/ed25519';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';
import { Buffer } from 'buffer';
import type { CryptoPrimitives } from '../../src/crypto/crypto-primitives.port';

// noble's synchronous API needs a SHA-512: @noble/hashes' own in the browser.
ed.hashes.sha512 = sha512;

/**
 * The audit verifier's primitives in the browser (src/crypto/crypto-primitives.ts): SHA-256 from
 * @noble/hashes, Ed25519 verification from @noble/ed25519 under RFC 8032's strict rules, as OpenSSL
 * checks it (no ZIP-215 leniency; the key was checked to be of prime order before).
 */
export const NOBLE_CRYPTO_PRIMITIVES: CryptoPrimitives = {
  sha256: (...parts) => sha256(parts.length === 1 ? parts[0] : concatBytes(...parts)),
  verifyEd25519: (publicKey, message, signature) => ed.verify(signature, message, Buffer.from(publicKey, 'base64url'), { zip215: false }),
};
