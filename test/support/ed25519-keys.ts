import { randomUUID, sign, type KeyObject } from 'node:crypto';
import { fingerprint } from '../../src/crypto/public-key';
import { challengeStatement } from '../../src/crypto/statement';
import type { ActiveKey } from '../../src/domain/shared/actor';
import { CHALLENGE_TTL_MS, type ChallengeFields, type SignedProof } from '../../src/domain/shared/signed-proof';
import { ed25519KeyPair } from './ed25519-key-pair';

/** An Ed25519 key pair as a client holds it: the server only ever sees `publicKey`. */
export interface TestKeyPair {
  /** Raw 32-byte public key, base64url without padding. */
  publicKey: string;
  /** Hex SHA-256 of the raw public key. */
  fingerprint: string;
  privateKey: KeyObject;
  /** Ed25519 signature over the UTF-8 statement, base64url without padding. */
  sign(statement: string): string;
}

export function generateKeyPair(): TestKeyPair {
  const { publicKey: raw, privateKey } = ed25519KeyPair();
  return {
    publicKey: raw,
    fingerprint: fingerprint(raw),
    privateKey,
    sign: (statement) => sign(null, Buffer.from(statement, 'utf8'), privateKey).toString('base64url'),
  };
}

/** The key as an ACTIVE key of an agent, approved through `requestId`. */
export const asActiveKey = (key: TestKeyPair, requestId: string): ActiveKey => ({
  requestId,
  publicKey: key.publicKey,
  fingerprint: key.fingerprint,
});

/** Challenge fields as the server issues them: a fresh nonce, expiring CHALLENGE_TTL_MS after `issuedAt`. */
export function challengeFields(
  fields: Omit<ChallengeFields, 'nonce' | 'expiresAt'> & Partial<Pick<ChallengeFields, 'nonce' | 'expiresAt'>>,
): ChallengeFields {
  return {
    nonce: randomUUID(),
    expiresAt: new Date(Date.parse(fields.issuedAt) + CHALLENGE_TTL_MS).toISOString(),
    ...fields,
  };
}

/** A proof as a command carries it: the canonical statement of `challenge`, signed by `key`. */
export function signedProof(key: Pick<TestKeyPair, 'sign'>, challenge: ChallengeFields, challengeId = randomUUID()): SignedProof {
  const statement = challengeStatement(challenge);
  return { challengeId, challenge, statement, signature: key.sign(statement) };
}
