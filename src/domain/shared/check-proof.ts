import { verifyEd25519 } from '../../crypto/ed25519-verify';
import { challengeStatement } from '../../crypto/statement';
import { refuse } from './refusal';
import { boundFields, type ChallengeBinding } from './challenge-purposes';
import { CHALLENGE_TTL_MS, CLOCK_SKEW_TOLERANCE_MS, type ChallengeFields, type RecordedProof, type SignedProof } from './signed-proof';
import { spentReason, type UsedNonces } from './used-nonces';
import { isoInstant } from '../../shared/iso-instant';
import { asciiJson } from '../../shared/hidden-characters';

/** Why two values that print the same differ, when they are one text in two Unicode normalizations (é as one code point or e + ◌́). */
function alike(actual: unknown, expected: unknown): string {
  if (typeof actual !== 'string' || typeof expected !== 'string' || actual.normalize('NFC') !== expected.normalize('NFC')) return '';
  return ` (the two differ only in their Unicode normalization, which prints them alike: the challenge holds ${asciiJson(actual)}, this command ${asciiJson(expected)})`;
}

/** What a command needs its challenge to say: org, caller, and everything its purpose binds. */
export type ExpectedChallenge = { orgId: string; agentId: string } & ChallengeBinding;

/**
 * Checks everything about a proof but its signature (R15): the statement is the canonical text of
 * its challenge; the challenge was issued for this purpose, org and caller and binds exactly what
 * the command does; it has not expired at `now` nor was issued after it (within the tolerated clock skew); its nonce was
 * not used in this stream before, and it was not issued before what the stream still remembers.
 * A proof that fails here does not belong to the command: UNPROCESSABLE, nothing is written.
 */
export function checkChallenge(proof: SignedProof, expected: ExpectedChallenge, now: string, used: UsedNonces): void {
  const { challenge } = proof;
  if (proof.statement !== challengeStatement(challenge)) {
    refuse('UNPROCESSABLE', 'STATEMENT_MISMATCH', 'The signed statement is not the canonical text of its challenge.');
  }
  const wanted: Record<string, unknown> = expected;
  const fields = ['purpose', 'orgId', 'agentId', ...boundFields(expected.purpose)] as (keyof ChallengeFields & string)[];
  for (const field of fields) {
    const value = wanted[field];
    if (challenge[field] !== value) {
      refuse(
        'UNPROCESSABLE',
        'CHALLENGE_MISMATCH',
        `The challenge was issued with ${field} ${JSON.stringify(challenge[field] ?? null)}, but this command needs ${JSON.stringify(value)}${alike(challenge[field], value)}: get a challenge for this very command.`,
        { field, expected: value, actual: challenge[field] ?? null },
      );
    }
  }
  const issuedAt = isoInstant(challenge.issuedAt);
  const deadline = Math.min(isoInstant(challenge.expiresAt), issuedAt + CHALLENGE_TTL_MS);
  const at = isoInstant(now);
  if (!(at < deadline + CLOCK_SKEW_TOLERANCE_MS)) {
    refuse('UNPROCESSABLE', 'CHALLENGE_EXPIRED', `The challenge expired at ${challenge.expiresAt}: get a new one.`, {
      expiresAt: challenge.expiresAt,
    });
  }
  // Used more than the skew before it was issued, the challenge came from an instance whose clock is
  // further ahead than the clocks may be apart: recorded, its signature would be dated before its challenge.
  if (issuedAt > at + CLOCK_SKEW_TOLERANCE_MS) {
    refuse(
      'UNPROCESSABLE',
      'CHALLENGE_NOT_YET_VALID',
      `The challenge was issued at ${challenge.issuedAt}, more than the tolerated clock skew after ${now}, the time it is used at (the clock that issued it was further ahead than the instances' clocks may be apart): get a new one.`,
      { issuedAt: challenge.issuedAt },
    );
  }
  const spent = spentReason(used, challenge);
  if (spent === 'REPLAYED') {
    // Only a recorded command spends a nonce: to a client retrying a request whose answer it lost,
    // this says its first request went through (and signing again would act twice).
    refuse(
      'UNPROCESSABLE',
      'CHALLENGE_REPLAYED',
      'This challenge was already used by a command recorded in the log: challenges are one-time. A request sent again because its answer was lost went through the first time: read its result rather than sign it again; get a new challenge for a new command.',
    );
  }
  if (spent === 'BEFORE_HORIZON') {
    refuse('UNPROCESSABLE', 'CHALLENGE_EXPIRED', `The challenge was issued at ${challenge.issuedAt}, more than its lifetime plus the tolerated clock skew before the latest challenge used here: get a new one.`, {
      expiresAt: challenge.expiresAt,
    });
  }
}

/** Whether `publicKey` signed the proof's statement. */
export const isSignedBy = (proof: SignedProof, publicKey: string): boolean =>
  verifyEd25519(publicKey, proof.statement, proof.signature);

/** Refuses (UNPROCESSABLE) a proof that `publicKey`, described by `signer`, did not sign. */
export function requireSignature(proof: SignedProof, publicKey: string, signer: string): void {
  if (!isSignedBy(proof, publicKey)) {
    refuse('UNPROCESSABLE', 'INVALID_SIGNATURE', `The signature does not verify under ${signer} over the challenge statement.`);
  }
}

/** What an event keeps of a proof, so anyone can verify it offline (R6). */
export const recordProof = (proof: SignedProof, publicKey: string): RecordedProof => ({
  statement: proof.statement,
  signature: proof.signature,
  publicKey,
});
