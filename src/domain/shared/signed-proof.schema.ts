import { z } from 'zod';
import { decodeBase64url } from '../../crypto/base64url';
import { INSTANT_FORM, isInstant } from './instant';
import type { ChallengeEnvelope } from './signed-proof';

// The zod shapes of signed-proof.ts's values, apart: the threads that only fold the log never load zod.

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
