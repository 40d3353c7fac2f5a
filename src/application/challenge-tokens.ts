import { randomBytes } from 'node:crypto';
import { signHs256, verifyHs256 } from '../crypto/hs256-jws';
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
 * that record each nonce when it is consumed (see src/domain/shared/check-proof.ts). The MAC is
 * synchronous node:crypto: it runs on every signed command.
 */
export class ChallengeTokens {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(`ztkeys/challenge/v1:${secret}`);
  }

  issue(fields: { orgId: string; agentId: string } & ChallengeBinding, now: Date): IssuedChallenge {
    const complete: ChallengeFields = {
      ...fields,
      nonce: randomBytes(16).toString('base64url'),
      issuedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS).toISOString(),
    };
    const statement = challengeStatement(complete);
    const challengeId = signHs256(Buffer.from(statement, 'utf8'), this.key);
    return { challengeId, statement, expiresAt: complete.expiresAt };
  }

  /** The challenge behind an id, or undefined when the server did not issue it. */
  open(challengeId: string): OpenedChallenge | undefined {
    if (typeof challengeId !== 'string' || challengeId.length > 4096) return undefined;
    const payload = verifyHs256(challengeId, this.key);
    if (!payload) return undefined;
    try {
      const statement = payload.toString('utf8');
      return { fields: JSON.parse(statement) as ChallengeFields, statement };
    } catch {
      return undefined;
    }
  }
}
