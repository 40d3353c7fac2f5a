import { Injectable } from '@nestjs/common';
import type { SignedProof } from '../domain/shared/signed-proof';
import { refuse } from '../domain/shared/refusal';
import { ChallengeTokens } from './challenge-tokens';

/**
 * Turns a client's `{challengeId, signature}` into a SignedProof: the challenge must be one this
 * server issued (its id is authenticated). Purpose, binding, expiry, replay and the signature
 * itself are domain rules, checked by the deciders.
 */
@Injectable()
export class Proofs {
  constructor(private readonly challenges: ChallengeTokens) {}

  async open(challengeId: string, signature: string): Promise<SignedProof> {
    const challenge = this.challenges.open(challengeId);
    if (!challenge) {
      return refuse('UNPROCESSABLE', 'UNKNOWN_CHALLENGE', 'challengeId is not a challenge issued by this server; request a new one.');
    }
    return { challengeId, challenge: challenge.fields, statement: challenge.statement, signature };
  }
}
