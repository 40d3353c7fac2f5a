import type { ActiveKey } from '../../domain/shared/actor';
import { checkChallenge, isSignedBy, type ExpectedChallenge } from '../../domain/shared/check-proof';
import type { RecordedProof } from '../../domain/shared/signed-proof';
import { challengeOf, type UsedNonces } from '../../domain/shared/used-nonces';
import { underRule } from './as-decided';
import { violation } from './log-violation';
import type { Decoded } from './replayed-event';

/**
 * A signed statement: its challenge binds this org, signer and fields, was alive then, and `key`
 * signed it; its nonce was not used before in the stream it is recorded in (`used`, that stream's
 * state before the event: the write side's own check). The bound fields pin a statement to one
 * stream (org, agent, browser, request and key), so a replay into another stream fails them.
 */
export function checkStatement(event: Decoded<{ type: string }>, proof: RecordedProof, expected: ExpectedChallenge, key: Pick<ActiveKey, 'publicKey'>, used: UsedNonces, at?: string): void {
  if (proof.publicKey !== key.publicKey) violation(`the ${expected.purpose} statement is recorded as signed by ${proof.publicKey}, not by ${key.publicKey}`);
  // decode checked the statement is a challenge whose times are in the log's one form (recordedProofSchema).
  const challenge = challengeOf(proof.statement);
  // Alive and not issued after the time it is recorded as signed at (the write side's own check, CHALLENGE_NOT_YET_VALID).
  underRule(event, () => checkChallenge({ challengeId: '', challenge, statement: proof.statement, signature: proof.signature }, expected, at ?? event.occurredAt, used));
  if (!isSignedBy({ challengeId: '', challenge, statement: proof.statement, signature: proof.signature }, key.publicKey)) {
    violation(`the signature of the ${expected.purpose} statement does not verify under key ${key.publicKey}`);
  }
}
