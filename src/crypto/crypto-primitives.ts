import type { CryptoPrimitives } from './crypto-primitives.port';
import { nodeCryptoPrimitives } from './node-crypto-primitives';

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
