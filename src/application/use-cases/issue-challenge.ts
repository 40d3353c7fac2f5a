import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { checkPublicKey } from '../../crypto/public-key';
import { requireValidPolicy } from '../../domain/organization/org-policy.schema';
import { refuse } from '../../domain/shared/refusal';
import { isApproverRole, refuseAuditor } from '../../domain/shared/roles';
import type { ChallengeBinding, ChallengeRequest } from '../../domain/shared/challenge-purposes';
import { type IssuedChallenge, ChallengeTokens } from '../challenge-tokens';
import { Directory } from '../directory';
import { Recoveries } from '../recoveries';
import { requesterOf } from '../request-ids';
import { quoted } from '../../shared/quoted';
import { RateLimits } from '../../rate-limits/rate-limits';

/**
 * Issues a one-time challenge to a member; it binds what the purpose needs (PRODUCT.md, Signatures).
 * Every challenge is for a signature, so an AUDITOR gets none (R18); a KEY_DECISION challenge,
 * which shows the requester's public key, is for approvers only, refused before the request is looked up.
 */
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
    private readonly recoveries: Recoveries,
    private readonly limits: RateLimits,
  ) {}

  async execute({ orgId, agentId, request, now }: IssueChallengeQuery): Promise<IssuedChallenge> {
    const { actor } = await this.directory.actor(orgId, agentId);
    refuseAuditor(actor.role);
    if (request.purpose === 'KEY_DECISION' && !isApproverRole(actor.role)) {
      refuse('FORBIDDEN', 'NOT_AN_APPROVER', 'Only an ADMIN or SUPER_ADMIN approves or rejects key requests, so only they get a KEY_DECISION challenge.');
    }
    if (request.purpose === 'RECOVERY_VETO' && !isApproverRole(actor.role)) {
      refuse('FORBIDDEN', 'NOT_AN_APPROVER', 'Only an ADMIN or SUPER_ADMIN vetoes a recovery, so only they get a RECOVERY_VETO challenge.');
    }
    if (request.purpose === 'ORG_POLICY' && actor.role !== 'SUPER_ADMIN') {
      refuse('FORBIDDEN', 'NOT_SUPER_ADMIN', 'Only a SUPER_ADMIN changes the organization\'s policy, so only they get an ORG_POLICY challenge.');
    }
    const binding = await this.binding(orgId, request);
    // The org's budget, spent only by a member whose challenge is issued.
    await this.limits.orgBudget('challenges_per_org', orgId)();
    return this.tokens.issue({ orgId, agentId, ...binding }, now);
  }

  /** What the challenge binds: what was asked for, checked, plus what the server knows (see CHALLENGE_PURPOSES). */
  private async binding(orgId: string, request: ChallengeRequest): Promise<ChallengeBinding> {
    switch (request.purpose) {
      case 'KEY_REQUEST': {
        const problem = checkPublicKey(request.publicKey);
        if (problem) refuse('UNPROCESSABLE', `PUBLIC_KEY_${problem}`, `publicKey is not a usable Ed25519 public key (${problem}).`);
        return request;
      }
      case 'KEY_DECISION': {
        const requesterId = requesterOf(request.requestId);
        const keys = requesterId === undefined ? undefined : await this.directory.keys(orgId, requesterId);
        const pending = keys?.state.requests.get(request.requestId);
        if (!pending) return refuse('NOT_FOUND', 'KEY_REQUEST_NOT_FOUND', `Key request ${quoted(request.requestId)} does not exist.`);
        return { ...request, requesterPublicKey: pending.publicKey };
      }
      case 'RECOVERY_VETO': {
        const recovery = (await this.recoveries.load(orgId)).state.recoveries.get(request.recoveryId);
        if (!recovery) return refuse('NOT_FOUND', 'RECOVERY_NOT_FOUND', `Recovery ${quoted(request.recoveryId)} does not exist.`);
        return { ...request, recoveredAgentId: recovery.agentId };
      }
      case 'ORG_POLICY': {
        // Fields out of their bounds are refused with the body; a policy they cannot make together
        // (the reminder not before the expiry) too, before anyone signs it, as its change would be.
        const { purpose: _purpose, ...policy } = request;
        requireValidPolicy(policy);
        return request;
      }
      case 'PROMPT_FREQUENCY':
      case 'SENSITIVE_TASK':
        return request;
    }
  }
}
