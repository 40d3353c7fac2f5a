import { CHALLENGE_TTL_MS, CLOCK_SKEW_TOLERANCE_MS, type ChallengeFields } from './signed-proof';
import { isoInstant } from '../../shared/iso-instant';

/** One nonce used in the stream, with its challenge's issue time (epoch ms), and the ones used before it. */
interface UsedNonce {
  readonly nonce: string;
  readonly issued: number;
  readonly earlier: UsedNonce | undefined;
}

/**
 * The challenge nonces a stream has consumed, derived from its events alone (no clock), and a
 * horizon that only moves forward. A challenge issued before the horizon is refused whatever its
 * nonce, so a nonce issued before it never needs to be remembered and can never be accepted again,
 * whatever the clock of the instance that reads the stream. The nonces are a list, newest first,
 * that each state shares with the one it evolved from (a used nonce costs one cell, not a copy of
 * the set); the nonces the horizon passed are dropped once the list has doubled since they last
 * were (amortized O(1) a nonce), so it stays within twice the challenges still alive. A stream
 * has few of those (one agent's signatures of the last minutes): a replay check walks them.
 */
export interface UsedNonces {
  /** Epoch ms: the latest issue time of a challenge used here, minus the TTL and the tolerated skew. */
  readonly horizon: number;
  /** Newest first; may still hold nonces issued before the horizon, until the next pruning. */
  readonly newest: UsedNonce | undefined;
  readonly size: number;
  /** The size at which nonces issued before the horizon are dropped next. */
  readonly pruneAt: number;
}

const MIN_PRUNE_AT = 32;

export const NO_USED_NONCES: UsedNonces = { horizon: Number.NEGATIVE_INFINITY, newest: undefined, size: 0, pruneAt: MIN_PRUNE_AT };

function* usedNonces(used: UsedNonces): Generator<UsedNonce> {
  for (let cell = used.newest; cell; cell = cell.earlier) yield cell;
}

let lastStatement: string | undefined;
let lastChallenge: ChallengeFields | undefined;

/**
 * The challenge a recorded statement was signed over: statements are the canonical JSON of one.
 * The last one is memoized: a fold reads the same statement to check it and then to record its
 * nonce. Callers never change the result.
 */
export function challengeOf(statement: string): ChallengeFields {
  if (statement !== lastStatement || lastChallenge === undefined) {
    lastChallenge = JSON.parse(statement) as ChallengeFields;
    lastStatement = statement;
  }
  return lastChallenge;
}

/** Why a challenge cannot be used in this stream any more, or undefined when it still can. */
export function spentReason(used: UsedNonces, challenge: Pick<ChallengeFields, 'nonce' | 'issuedAt'>): 'REPLAYED' | 'BEFORE_HORIZON' | undefined {
  // The horizon first: a nonce it passed may still be in the set until the next pruning.
  if (isoInstant(challenge.issuedAt) < used.horizon) return 'BEFORE_HORIZON';
  for (const cell of usedNonces(used)) if (cell.nonce === challenge.nonce) return 'REPLAYED';
  return undefined;
}

/** The nonces a replay check still consults, newest first: those issued at or after the horizon. */
export const rememberedNonces = (used: UsedNonces): string[] =>
  [...usedNonces(used)].filter(({ issued }) => issued >= used.horizon).map(({ nonce }) => nonce);

/**
 * Records the nonce of a proof written to the stream. A challenge issued more than TTL + skew
 * before the latest one used here could not be accepted by an instance whose clock is within the
 * tolerated skew, so the horizon moves up to there: the set need only hold the challenges still alive.
 */
export function withUsedNonce(used: UsedNonces, statement: string): UsedNonces {
  const { nonce, issuedAt } = challengeOf(statement);
  const issued = isoInstant(issuedAt);
  const horizon = Math.max(used.horizon, issued - CHALLENGE_TTL_MS - CLOCK_SKEW_TOLERANCE_MS);
  const newest: UsedNonce = { nonce, issued, earlier: used.newest };
  if (used.size + 1 < used.pruneAt) return { horizon, newest, size: used.size + 1, pruneAt: used.pruneAt };
  const alive = [...usedNonces({ ...used, newest })].filter((cell) => cell.issued >= horizon);
  const kept = alive.reduceRight<UsedNonce | undefined>((earlier, { nonce: kept, issued: at }) => ({ nonce: kept, issued: at, earlier }), undefined);
  return { horizon, newest: kept, size: alive.length, pruneAt: Math.max(MIN_PRUNE_AT, 2 * alive.length) };
}
