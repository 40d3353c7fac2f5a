import { z } from 'zod';
import { decodeBase64url } from '../../crypto/base64url';
import type { AnyBoundFields, ChallengePurpose } from './challenge-purposes';
import { INSTANT_FORM, isInstant } from './instant';

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

/** The shape of a public key in an event's data: a raw 32-byte Ed25519 key, canonical base64url (fingerprints and codes are derived from its bytes). */
export const publicKeySchema = z.string().refine((text) => decodeBase64url(text)?.length === 32, { message: 'Invalid input: expected a raw 32-byte key in canonical base64url' });

/** A challenge is a flat object of strings, booleans and numbers (ChallengeFields); a nested value or one JSON cannot carry (1e400) has no canonical form. */
const isChallengeValue = (value: unknown): boolean => typeof value === 'string' || typeof value === 'boolean' || Number.isFinite(value);

/** Whether `text` is the JSON of a challenge whose times are instants as the log writes them, which the deciders' evolve reads (used-nonces.ts, request-deadlines.ts). */
function isChallengeStatement(text: string): boolean {
  let challenge: unknown;
  try {
    challenge = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof challenge !== 'object' || challenge === null || Array.isArray(challenge)) return false;
  const { issuedAt, expiresAt } = challenge as Partial<ChallengeEnvelope>;
  return Object.values(challenge).every(isChallengeValue) && isInstant(issuedAt) && isInstant(expiresAt);
}

/** The shape of a RecordedProof in an event's data: its statement a challenge, its times in the log's one form. */
export const recordedProofSchema = z.strictObject({
  statement: z.string().refine(isChallengeStatement, {
    message: `Invalid input: expected a challenge statement: a flat JSON object of strings, booleans and numbers, its issuedAt and expiresAt each ${INSTANT_FORM}`,
  }),
  signature: z.string(),
  publicKey: publicKeySchema,
});
