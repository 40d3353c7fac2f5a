import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { RateLimitName } from '../../config/app-config';
import { approvalsRequired } from '../../domain/organization/org-policy';
import { fold } from '../../domain/shared/decider';
import { refuse } from '../../domain/shared/refusal';
import { keyDecider } from '../../domain/signature-key/key.decider';
import { isApproverRole } from '../../domain/shared/roles';
import type { CommandContext } from '../command-context';
import { retryOnConflict } from '../conflict-retry';
import { Directory } from '../directory';
import { decided, EventWriter, guard, recordedAt } from '../event-writer';
import { Proofs } from '../proofs';
import { requesterOf } from '../request-ids';
import { limitKey } from '../../rate-limits/limit-key';
import { RateLimits } from '../../rate-limits/rate-limits';
import { quoted } from '../../shared/quoted';

export type KeyDecision =
  | { decision: 'APPROVE'; verificationCode: string }
  | { decision: 'REJECT'; reason?: string };

export interface DecidedKeyRequest {
  requestId: string;
  /** PENDING: the approval was recorded and the request waits for more (R20 M-of-N). */
  status: 'APPROVED' | 'REJECTED' | 'PENDING';
  mode?: string;
  /** While PENDING: the approvers whose approvals count so far, and the threshold at this decision. */
  approvals?: string[];
  approvalsRequired?: number;
  position: bigint;
}

/** The limits a wrong verification code counts against: an approver's, and their org's, across requests (the route refuses calls once they are used up). */
export const WRONG_CODE_LIMITS: RateLimitName[] = ['wrong_codes_per_agent', 'wrong_codes_per_org'];

/** The refusals of a wrong verification code (the last one locks the request). */
const WRONG_CODE_REFUSALS = new Set(['VERIFICATION_CODE_MISMATCH', 'REQUEST_LOCKED']);

export class DecideKeyRequestCommand extends Command<DecidedKeyRequest> {
  constructor(
    readonly context: CommandContext,
    readonly requestId: string,
    readonly decision: KeyDecision,
    readonly challengeId: string,
    readonly signature: string,
  ) {
    super();
  }
}

/**
 * R5, R6, R8, R20: an approver's signed decision on a request. Two approvers deciding at once both
 * append at the same revision of the requester's stream: one is recorded, the other is decided
 * again on the state that includes it, so approvals never count twice nor past the threshold. The
 * threshold is read from the org's policy now, and the org stream guards the append.
 * A wrong verification code is a refusal that is recorded, and counted against WRONG_CODE_LIMITS,
 * before it is answered: each approval takes its place in them before it is decided and gives it
 * back unless its code was wrong, so approvals at once cannot all pass the limits.
 */
@CommandHandler(DecideKeyRequestCommand)
export class DecideKeyRequestHandler implements ICommandHandler<DecideKeyRequestCommand> {
  constructor(
    private readonly directory: Directory,
    private readonly proofs: Proofs,
    private readonly writer: EventWriter,
    private readonly limits: RateLimits,
  ) {}

  async execute(command: DecideKeyRequestCommand): Promise<DecidedKeyRequest> {
    const requesterId = requesterOf(command.requestId);
    if (requesterId === undefined) return refuse('NOT_FOUND', 'KEY_REQUEST_NOT_FOUND', `Key request ${quoted(command.requestId)} does not exist.`);
    if (command.decision.decision === 'REJECT') return this.decide(command, requesterId);
    // An approval holds its places in the wrong-code limits while it is decided, kept only for a wrong
    // code: the caller's own at once, the org's once the caller is one of its approvers. A MEMBER's or
    // a removed agent's approve takes none of the org's, not even for a moment: sent without end from
    // a few tokens, such approves would keep the org's places taken and its approvers' approves 429.
    const caller = { orgId: command.context.orgId, agentId: command.context.actor };
    const place = (limit: RateLimitName) => [{ limit, key: limitKey(limit, caller) }];
    const giveBack = [await this.limits.reserve(place('wrong_codes_per_agent'))];
    let orgPlace: Promise<void> | undefined;
    const admitted = () => (orgPlace ??= this.limits.reserve(place('wrong_codes_per_org')).then((given) => void giveBack.push(given)));
    let wrongCode = false;
    try {
      return await this.decide(command, requesterId, { onWrongCode: () => (wrongCode = true), admitted });
    } finally {
      if (!wrongCode) await Promise.all(giveBack.map((given) => given()));
    }
  }

  /**
   * Decides and records; `approval.admitted` is awaited once the caller is known to be an approver
   * of the org (at most once, however often a conflict retries), `approval.onWrongCode` told once a
   * wrong code's attempt is recorded.
   */
  private async decide(
    { context, requestId, decision, challengeId, signature }: DecideKeyRequestCommand,
    requesterId: string,
    approval?: { admitted: () => Promise<void>; onWrongCode: () => void },
  ): Promise<DecidedKeyRequest> {
    const proof = await this.proofs.open(challengeId, signature);
    return retryOnConflict(async (freshSince) => {
      const { org, actor: approver, keys: approverKeys } = await this.directory.actor(context.orgId, context.actor, freshSince);
      if (approval && isApproverRole(approver.role)) await approval.admitted();
      const requester = await this.directory.keys(context.orgId, requesterId, freshSince);
      const requesterRole = org.state.agents.get(requesterId)?.role;
      const required = approvalsRequired(org.state.policy, requesterRole ?? 'MEMBER');
      // The approvers besides the requester (for a ROTATION, the approver) who could sign now.
      const others = decision.decision === 'APPROVE' ? await this.directory.activeApprovers(context.orgId, org.state, requesterId, required, freshSince) : undefined;
      // The earlier approvers' keys now: an approval counts while its key is still ACTIVE.
      const earlier = requester.state.requests.get(requestId)?.approvals ?? [];
      const vouching = decision.decision === 'APPROVE' ? await this.directory.approverKeys(context.orgId, org.state, earlier, freshSince) : undefined;
      // Recorded only while the approver's role, their ACTIVE key, the other approvers' keys (for a
      // ROTATION and the threshold) and the earlier approvers' keys are still what the decision saw (R17).
      const read = [org, approverKeys, ...(others?.read ?? []), ...(vouching?.read ?? [])].map(guard);
      // Decided at the time it is recorded, which the request's expiry is checked against, here and by the offline verifier.
      const now = recordedAt(context.now, [requester], read);
      const outcome =
        decision.decision === 'APPROVE'
          ? keyDecider.decide(
              {
                type: 'ApproveKey',
                orgId: context.orgId,
                requestId,
                approver,
                verificationCode: decision.verificationCode,
                proof,
                requesterRole,
                policy: org.state.policy,
                approverKeys: vouching!.keys,
                activeApprovers: others!.count,
                now,
              },
              requester.state,
            )
          : keyDecider.decide(
              { type: 'RejectKey', orgId: context.orgId, requestId, approver, reason: decision.reason, proof, policy: org.state.policy, now },
              requester.state,
            );
      const position = (await this.writer.write(context, decided(requester, outcome.events), ...read))!;
      if (outcome.refusal) {
        if (WRONG_CODE_REFUSALS.has(outcome.refusal.code)) approval?.onWrongCode();
        throw outcome.refusal.with({ position: String(position) });
      }
      const recorded = outcome.events.find((event) => event.type === 'KeyApprovalRecorded');
      if (recorded) return { requestId, status: 'PENDING', approvals: recorded.data.approvals, approvalsRequired: recorded.data.required, position };
      const { mode } = fold(keyDecider, outcome.events, requester.state).requests.get(requestId)!;
      return { requestId, status: decision.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED', ...(mode && { mode }), position };
    });
  }
}
