import type { ChallengeFields } from './signed-proof';

/** Challenge nonces a stream has consumed, each with its challenge's expiry (epoch ms). */
export type UsedNonces = ReadonlyMap<string, number>;

export const NO_USED_NONCES: UsedNonces = new Map();

/** The challenge a recorded statement was signed over: statements are the canonical JSON of one. */
export const challengeOf = (statement: string): ChallengeFields => JSON.parse(statement) as ChallengeFields;

/**
 * Records the nonce of a proof written to the stream. Nonces that expired before this challenge
 * was issued are dropped: command time only moves on, so their challenges are refused as expired
 * anyway, and the set stays as small as the challenges still alive.
 */
export function withUsedNonce(used: UsedNonces, statement: string): UsedNonces {
  const { nonce, issuedAt, expiresAt } = challengeOf(statement);
  const issued = Date.parse(issuedAt);
  const next = new Map<string, number>();
  for (const [usedNonce, expiry] of used) if (expiry > issued) next.set(usedNonce, expiry);
  next.set(nonce, Date.parse(expiresAt));
  return next;
}
