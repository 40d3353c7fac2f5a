import { randomBytes } from 'node:crypto';
import { CompactSign, compactVerify } from 'jose';
import { challengeStatement } from '../crypto/statement';
import type { ChallengeBinding } from '../domain/shared/challenge-purposes';
import { CHALLENGE_TTL_MS, type ChallengeFields } from '../domain/shared/signed-proof';

export interface IssuedChallenge {
  challengeId: string;
  statement: string;
  expiresAt: string;
}

export interface OpenedChallenge {
  fields: ChallengeFields;
  statement: string;
}

/**
 * Challenges without server state: the challenge id is the statement itself, MAC'd with the
 * server's challenge secret (a compact JWS, HS256). Only the server can mint one; opening it
 * gives back exactly the statement the client signed. One-time use is enforced by the streams
 * that record each nonce when it is consumed (see src/domain/shared/check-proof.ts).
 */
export class ChallengeTokens {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(`ztkeys/challenge/v1:${secret}`);
  }

  async issue(fields: { orgId: string; agentId: string } & ChallengeBinding, now: Date): Promise<IssuedChallenge> {
    const complete: ChallengeFields = {
      ...fields,
      nonce: randomBytes(16).toString('base64url'),
      issuedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS).toISOString(),
    };
    const statement = challengeStatement(complete);
    const challengeId = await new CompactSign(new TextEncoder().encode(statement))
      .setProtectedHeader({ alg: 'HS256' })
      .sign(this.key);
    return { challengeId, statement, expiresAt: complete.expiresAt };
  }

  /** The challenge behind an id, or undefined when the server did not issue it. */
  async open(challengeId: string): Promise<OpenedChallenge | undefined> {
    if (typeof challengeId !== 'string' || challengeId.length > 4096) return undefined;
    try {
      const { payload } = await compactVerify(challengeId, this.key, { algorithms: ['HS256'] });
      const statement = new TextDecoder().decode(payload);
      return { fields: JSON.parse(statement) as ChallengeFields, statement };
    } catch {
      return undefined;
    }
  }
}
