import * as ed from '@noble/ed25519';
import { LRUCache } from 'lru-cache';
import { decodeBase64url } from './base64url';
import { sha256 } from './crypto-primitives';
import { nodeCrypto } from './node-crypto';

// noble's synchronous API needs a SHA-512; on Node, node's is the fastest at hand (the web console sets @noble/hashes' own).
ed.hashes.sha512 = (message: Uint8Array) => new Uint8Array(nodeCrypto().createHash('sha512').update(message).digest());

export type PublicKeyProblem = 'NOT_BASE64URL' | 'WRONG_LENGTH' | 'NOT_A_POINT' | 'SMALL_ORDER' | 'MIXED_ORDER';

/**
 * Checks a public key once, when it is registered (R2): canonical base64url of 32 bytes that
 * decode (strictly, RFC 8032) to a curve point of prime order: neither of small order (anyone
 * could forge under it) nor with a small-order component.
 */
export function checkPublicKey(publicKey: string): PublicKeyProblem | undefined {
  return checked.memo(publicKey).problem;
}

/**
 * The prime-order check is a scalar multiplication in pure JS (about 1 ms of CPU and 1.7 MB of
 * BigInt garbage): done once per key, when its KEY_REQUEST challenge is issued, then looked up by
 * the request, its proof of possession and every signature under the key once registered. The
 * keys in use must fit: every ACTIVE key of an org of 10,000 agents and the keys requested within
 * a challenge's lifetime (about 100 bytes each, 5 MB when full). Least recently used out: when
 * more keys than the limit come round in the same order, dropping the oldest insertion instead
 * misses on every one (each check pushes out the next key asked for).
 */
const CHECKED_LIMIT = 50_000;
const checked = new LRUCache<string, { problem: PublicKeyProblem | undefined }>({
  max: CHECKED_LIMIT,
  memoMethod: (publicKey) => ({ problem: pointProblem(publicKey) }),
});

function pointProblem(publicKey: string): PublicKeyProblem | undefined {
  const raw = decodeBase64url(publicKey);
  if (!raw) return 'NOT_BASE64URL';
  if (raw.length !== 32) return 'WRONG_LENGTH';
  let point: ed.Point;
  try {
    point = ed.Point.fromBytes(new Uint8Array(raw), false);
  } catch {
    return 'NOT_A_POINT';
  }
  if (point.isSmallOrder()) return 'SMALL_ORDER';
  // A key with a small-order component verifies differently under cofactored and cofactorless
  // checks; an honest key generator never makes one, so it is refused.
  if (!point.isTorsionFree()) return 'MIXED_ORDER';
  return undefined;
}

/** Hex SHA-256 of the raw 32-byte key (PRODUCT.md, Signatures). */
export function fingerprint(publicKey: string): string {
  const raw = decodeBase64url(publicKey);
  if (!raw) throw new TypeError('public key is not base64url');
  return sha256(raw).toString('hex');
}
