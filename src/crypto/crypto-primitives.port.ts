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
