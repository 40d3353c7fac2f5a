import { CHALLENGE_TTL_MS, CLOCK_SKEW_TOLERANCE_MS, type ChallengeFields } from './signed-proof';

/**
 * The challenge nonces a stream has consumed, derived from its events alone (no clock): each with
 * its challenge's issue time (epoch ms), and a horizon that only moves forward. A challenge issued
 * before the horizon is refused, and only nonces issued before it are forgotten, so a forgotten
 * nonce can never be accepted again, whatever the clock of the instance that reads the stream.
 */
export interface UsedNonces {
  /** Epoch ms: the latest issue time of a challenge used here, minus the TTL and the tolerated skew. */
  readonly horizon: number;
  readonly nonces: ReadonlyMap<string, number>;
}

export const NO_USED_NONCES: UsedNonces = { horizon: Number.NEGATIVE_INFINITY, nonces: new Map() };

/** The challenge a recorded statement was signed over: statements are the canonical JSON of one. */
export const challengeOf = (statement: string): ChallengeFields => JSON.parse(statement) as ChallengeFields;

/** Why a challenge cannot be used in this stream any more, or undefined when it still can. */
export function spentReason(used: UsedNonces, challenge: Pick<ChallengeFields, 'nonce' | 'issuedAt'>): 'REPLAYED' | 'BEFORE_HORIZON' | undefined {
  if (used.nonces.has(challenge.nonce)) return 'REPLAYED';
  return Date.parse(challenge.issuedAt) < used.horizon ? 'BEFORE_HORIZON' : undefined;
}

/**
 * Records the nonce of a proof written to the stream. A challenge issued more than TTL + skew
 * before the latest one used here could not be accepted by an instance whose clock is within the
 * tolerated skew, so the horizon moves up to there and the nonces issued before it are dropped:
 * the set stays as small as the challenges still alive.
 */
export function withUsedNonce(used: UsedNonces, statement: string): UsedNonces {
  const { nonce, issuedAt } = challengeOf(statement);
  const issued = Date.parse(issuedAt);
  const horizon = Math.max(used.horizon, issued - CHALLENGE_TTL_MS - CLOCK_SKEW_TOLERANCE_MS);
  const nonces = new Map<string, number>();
  for (const [usedNonce, usedIssued] of used.nonces) if (usedIssued >= horizon) nonces.set(usedNonce, usedIssued);
  nonces.set(nonce, issued);
  return { horizon, nonces };
}
