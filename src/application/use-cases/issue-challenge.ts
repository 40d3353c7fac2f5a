import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { checkPublicKey } from '../../crypto/public-key';
import { refuse } from '../../domain/shared/refusal';
import type { ChallengeFields } from '../../domain/shared/signed-proof';
import { type IssuedChallenge, ChallengeTokens } from '../challenge-tokens';
import { Directory } from '../directory';
import { requesterOf } from '../request-ids';

export type ChallengeRequest =
  | { purpose: 'KEY_REQUEST'; publicKey: string }
  | { purpose: 'KEY_DECISION'; requestId: string; decision: 'APPROVE' | 'REJECT' }
  | { purpose: 'PROMPT_FREQUENCY'; browserId: string; frequency: string }
  | { purpose: 'SENSITIVE_TASK'; browserId: string; task: string };

/** Issues a one-time challenge to a member; it binds what the purpose needs (PRODUCT.md, Signatures). */
export class IssueChallengeQuery extends Query<IssuedChallenge> {
  constructor(
    readonly orgId: string,
    readonly agentId: string,
    readonly request: ChallengeRequest,
    readonly now: Date,
  ) {
    super();
  }
}

@QueryHandler(IssueChallengeQuery)
export class IssueChallengeHandler implements IQueryHandler<IssueChallengeQuery> {
  constructor(
    private readonly directory: Directory,
    private readonly tokens: ChallengeTokens,
  ) {}

  async execute({ orgId, agentId, request, now }: IssueChallengeQuery): Promise<IssuedChallenge> {
    await this.directory.actor(orgId, agentId);
    const base = { orgId, agentId, purpose: request.purpose };
    let binds: Partial<ChallengeFields>;
    switch (request.purpose) {
      case 'KEY_REQUEST': {
        const problem = checkPublicKey(request.publicKey);
        if (problem) refuse('UNPROCESSABLE', `PUBLIC_KEY_${problem}`, `publicKey is not a usable Ed25519 public key (${problem}).`);
        binds = { publicKey: request.publicKey };
        break;
      }
      case 'KEY_DECISION': {
        const requesterId = requesterOf(request.requestId);
        const keys = requesterId === undefined ? undefined : await this.directory.keys(orgId, requesterId);
        const pending = keys?.state.requests.get(request.requestId);
        if (!pending) return refuse('NOT_FOUND', 'KEY_REQUEST_NOT_FOUND', `Key request ${request.requestId} does not exist.`);
        binds = { requestId: request.requestId, requesterPublicKey: pending.publicKey, decision: request.decision };
        break;
      }
      case 'PROMPT_FREQUENCY':
        binds = { browserId: request.browserId, frequency: request.frequency };
        break;
      case 'SENSITIVE_TASK':
        binds = { browserId: request.browserId, task: request.task };
        break;
    }
    return this.tokens.issue({ ...base, ...binds } as Omit<ChallengeFields, 'nonce' | 'issuedAt' | 'expiresAt'>, now);
  }
}
