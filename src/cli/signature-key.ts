import * as ed from '@noble/ed25519';
import { encodeBase64url } from '../crypto/base64url';
import { fingerprint } from '../crypto/public-key';

/** An agent's Ed25519 key pair, decrypted in memory for one command. */
export interface UnlockedKey {
  /** Raw 32-byte public key, base64url. */
  publicKey: string;
  /** Hex SHA-256 of the raw public key. */
  fingerprint: string;
  /** The 32-byte Ed25519 secret key (seed). */
  secretKey: Uint8Array;
}

/** Generates a new Ed25519 key pair with @noble/ed25519 (randomness from the OS CSPRNG). */
export async function generateKeyPair(): Promise<UnlockedKey> {
  const { secretKey, publicKey } = await ed.keygenAsync();
  const encoded = encodeBase64url(publicKey);
  return { publicKey: encoded, fingerprint: fingerprint(encoded), secretKey };
}

/** The base64url public key of a secret key. */
export const publicKeyOf = async (secretKey: Uint8Array): Promise<string> =>
  encodeBase64url(await ed.getPublicKeyAsync(secretKey));

/** Signs a challenge statement's UTF-8 bytes; the signature is base64url without padding. */
export async function signStatement(key: UnlockedKey, statement: string): Promise<string> {
  return encodeBase64url(await ed.signAsync(new TextEncoder().encode(statement), key.secretKey));
}
