/** The purposes a challenge can be issued for; a signature over one is useless for another. */
export const CHALLENGE_PURPOSES = ['KEY_REQUEST', 'KEY_DECISION', 'PROMPT_FREQUENCY', 'SENSITIVE_TASK'] as const;
export type ChallengePurpose = (typeof CHALLENGE_PURPOSES)[number];

/** Challenges expire this long after they are issued (R15). */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;

/** The fields of a challenge statement (PRODUCT.md, Signatures). Only those of its purpose are set. */
export interface ChallengeFields {
  purpose: ChallengePurpose;
  orgId: string;
  /** The caller the challenge was issued to. */
  agentId: string;
  nonce: string;
  issuedAt: string;
  expiresAt: string;
  publicKey?: string;
  requestId?: string;
  requesterPublicKey?: string;
  decision?: 'APPROVE' | 'REJECT';
  browserId?: string;
  frequency?: string;
  task?: string;
}

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
