import { createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { ed25519KeyPair } from '../../test/support/ed25519-key-pair';

/** Messages the size of a challenge statement (RFC 8785 JSON of about 300 bytes). */
const STATEMENT_BYTES = 300;
const SIGNATURES = 256;

export interface PremadeSignatures {
  /** Parsed once, as the app caches parsed keys. */
  publicKey: KeyObject;
  /** The raw 32-byte key, for verifiers that take bytes. */
  raw: Uint8Array;
  messages: Buffer[];
  signatures: Buffer[];
}

export function premadeSignatures(): PremadeSignatures {
  const { publicKey: x, privateKey } = ed25519KeyPair();
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  const messages = Array.from({ length: SIGNATURES }, () => randomBytes(STATEMENT_BYTES));
  return {
    publicKey,
    raw: new Uint8Array(Buffer.from(x, 'base64url')),
    messages,
    signatures: messages.map((message) => sign(null, message, privateKey)),
  };
}

/** Verifications per second of `verifyOne` over pre-made signatures, in a tight loop on this thread for `seconds`. */
export function verifyRate(seconds: number, made: PremadeSignatures, verifyOne: (message: Buffer, signature: Buffer) => boolean): number {
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(seconds * 1e9));
  let done = 0;
  while (process.hrtime.bigint() < deadline) {
    const i = done % made.messages.length;
    if (!verifyOne(made.messages[i], made.signatures[i])) throw new Error('a pre-made signature did not verify');
    done++;
  }
  return done / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** The ceiling of any signed command: bare node:crypto (OpenSSL) Ed25519 verifications per second, one thread. */
export function nodeVerifyRate(seconds: number): number {
  const made = premadeSignatures();
  return verifyRate(seconds, made, (message, signature) => verify(null, message, made.publicKey, signature));
}
