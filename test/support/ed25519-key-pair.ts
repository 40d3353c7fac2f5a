import { createPrivateKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';

/** A new Ed25519 key pair: the raw public key (base64url, as the API takes it) and the private key to sign with. */
export interface Ed25519KeyPair {
  publicKey: string;
  privateKey: KeyObject;
}

/**
 * A new Ed25519 key pair, exported as JWK by the generation itself and the private key imported
 * again. `generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' })` can deadlock Node 20:
 * the export holds the key's mutex while it allocates, and a scavenge at that moment collects the
 * finished generation job, whose destructor takes the same mutex (the main thread waits on itself
 * forever; it stalled the key-request bench under --max-semi-space-size=4, see README).
 */
export function ed25519KeyPair(): Ed25519KeyPair {
  // @types/node lacks the 'jwk' encoding of generateKeyPairSync (Node has it since 15.9).
  const jwk = { publicKeyEncoding: { format: 'jwk' }, privateKeyEncoding: { format: 'jwk' } } as never;
  const { publicKey, privateKey } = generateKeyPairSync('ed25519', jwk) as unknown as { publicKey: JsonWebKey; privateKey: JsonWebKey };
  return { publicKey: publicKey.x as string, privateKey: createPrivateKey({ key: privateKey, format: 'jwk' }) };
}
