import { nodeCryptoPrimitives } from './node-crypto-primitives';

/**
 * The two primitives the verifiable log rests on, the seam between the audit verifier's code and
 * a platform: OpenSSL through node:crypto on the server and in the CLI (the default), @noble in
 * the web console (console/src/noble-crypto-primitives.ts, installed before it verifies).
 */
export interface CryptoPrimitives {
  /** SHA-256 of the parts, concatenated. */
  sha256(...parts: Uint8Array[]): Uint8Array;
  /**
   * Whether the 64-byte `signature` over `message` verifies under `publicKey` (base64url of 32
   * bytes, already checked to be a canonical point of prime order, crypto/public-key.ts) with the
   * cofactorless equation [S]B = R + [k]A and S < L (RFC 8032 strict, as OpenSSL checks it).
   */
  verifyEd25519(publicKey: string, message: Uint8Array, signature: Uint8Array): boolean;
}

let installed: CryptoPrimitives | undefined;

/** Installs a platform's primitives (the web console's); on Node, node:crypto's serve unless told otherwise. */
export function useCryptoPrimitives(primitives: CryptoPrimitives): void {
  installed = primitives;
}

export const cryptoPrimitives = (): CryptoPrimitives => (installed ??= nodeCryptoPrimitives());

/** SHA-256 of the parts, concatenated, as a Buffer (a view of the digest, not a copy). */
export function sha256(...parts: Uint8Array[]): Buffer {
  const digest = cryptoPrimitives().sha256(...parts);
  return Buffer.isBuffer(digest) ? digest : Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength);
}
