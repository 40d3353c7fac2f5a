import * as ed from '@noble/ed25519';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { Buffer } from 'buffer';

/**
 * The part of node:crypto the audit verifier's modules use, for the browser (vite.config.mts
 * aliases node:crypto here): hashes through @noble/hashes, Ed25519 verification through
 * @noble/ed25519 under RFC 8032's strict rules (as OpenSSL checks it: no ZIP-215 leniency).
 * Signing and MACs are the server's: the console only verifies, so those refuse.
 */
const HASHES = { sha256, sha512 } as const;

export function createHash(algorithm: string) {
  const hash = HASHES[algorithm as keyof typeof HASHES];
  if (!hash) throw new Error(`${algorithm} is not available in the browser`);
  const parts: Uint8Array[] = [];
  const api = {
    update(data: string | Uint8Array) {
      parts.push(typeof data === 'string' ? new TextEncoder().encode(data) : data);
      return api;
    },
    digest(encoding?: 'hex' | 'base64') {
      const digest = Buffer.from(hash(Buffer.concat(parts)));
      return encoding ? digest.toString(encoding) : digest;
    },
  };
  return api;
}

/** A public key from a JWK (kty OKP, crv Ed25519), as the verifier builds it. */
export function createPublicKey({ key }: { key: { kty: string; crv: string; x: string } }) {
  if (key.kty !== 'OKP' || key.crv !== 'Ed25519') throw new Error('only Ed25519 public keys are available in the browser');
  return { raw: Buffer.from(key.x, 'base64url') };
}

export function verify(_algorithm: null, message: Uint8Array, key: { raw: Uint8Array }, signature: Uint8Array): boolean {
  return ed.verify(signature, message, key.raw, { zip215: false });
}

const serverOnly = (name: string) => () => {
  throw new Error(`node:crypto ${name} is not available in the web console: it only verifies`);
};
export const createPrivateKey = serverOnly('createPrivateKey');
export const sign = serverOnly('sign');
export const createHmac = serverOnly('createHmac');
export const timingSafeEqual = serverOnly('timingSafeEqual');
export const randomBytes = serverOnly('randomBytes');
