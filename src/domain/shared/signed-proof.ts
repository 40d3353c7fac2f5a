import type { AnyBoundFields, ChallengePurpose } from './challenge-purposes';

/** Challenges expire this long after they are issued (R15). */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;

/**
 * How far apart the clocks of the instances serving one log may be (and how far one may step
 * back): a challenge is accepted until its expiry plus this, and a stream remembers the nonces of
 * challenges issued up to TTL plus this before the latest one it used (src/domain/shared/used-nonces.ts).
 */
export const CLOCK_SKEW_TOLERANCE_MS = 2 * 60 * 1000;

/** What every challenge statement binds, whatever its purpose. */
export interface ChallengeEnvelope {
  purpose: ChallengePurpose;
  orgId: string;
  /** The caller the challenge was issued to. */
  agentId: string;
  nonce: string;
  issuedAt: string;
  expiresAt: string;
}

/** The fields of a challenge statement (PRODUCT.md, Signatures). Only those its purpose binds are set. */
export type ChallengeFields = ChallengeEnvelope & AnyBoundFields;

/**
 * A signature over a challenge statement, as a command carries it. `statement` is the RFC 8785
 * canonical JSON of `challenge` that the client signed as UTF-8; the server already checked that
 * it issued the challenge (its id is authenticated), the domain checks everything else.
 */
export interface SignedProof {
  challengeId: string;
  challenge: ChallengeFields;
  statement: string;
  /** Ed25519 signature, base64url without padding. */
  signature: string;
}

/** What an event keeps of a proof, so anyone can verify it offline with public data alone (R6). */
export interface RecordedProof {
  statement: string;
  signature: string;
  /** base64url public key that signed it. */
  publicKey: string;
}
