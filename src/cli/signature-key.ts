import * as ed from '@noble/ed25519';
import { encodeBase64url } from '../crypto/base64url';
import { newSecretKeyPair, type SecretKeyPair } from '../crypto/key-file-format';

/** An agent's Ed25519 key pair, decrypted in memory for one command. */
export type UnlockedKey = SecretKeyPair;

/** Generates a new Ed25519 key pair with @noble/ed25519 (randomness from the OS CSPRNG). */
export const generateKeyPair = newSecretKeyPair;

/** Signs a challenge statement's UTF-8 bytes; the signature is base64url without padding. */
export async function signStatement(key: UnlockedKey, statement: string): Promise<string> {
  return encodeBase64url(await ed.signAsync(new TextEncoder().encode(statement), key.secretKey));
}
