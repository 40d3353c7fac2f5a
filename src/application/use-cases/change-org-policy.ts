import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { OrgPolicy } from '../../domain/organization/org-policy';
import { organizationDecider } from '../../domain/organization/organization.decider';
import type { CommandContext } from '../command-context';
import { retryOnConflict } from '../conflict-retry';
import { Directory } from '../directory';
import { decided, EventWriter, guard, recordedAt } from '../event-writer';
import { Proofs } from '../proofs';

export interface ChangedOrgPolicy {
  policy: OrgPolicy;
  /** The org's policy version once this is recorded (its ETag). */
  policyVersion: number;
  /** False when the org already had this policy: nothing was written. */
  changed: boolean;
  position?: bigint;
}

/** R20: a SUPER_ADMIN sets the org's whole policy, signed with their ACTIVE key. */
export class ChangeOrgPolicyCommand extends Command<ChangedOrgPolicy> {
  constructor(
    readonly context: CommandContext,
    readonly policy: OrgPolicy,
    readonly challengeId: string,
    readonly signature: string,
    /** If-Match: the policy version this change is based on. */
    readonly basedOnVersion?: number,
  ) {
    super();
  }
}

/**
 * Appends to the org stream at the revision decided on, guarded by the SUPER_ADMIN's key stream:
 * a role change, a key revocation or a concurrent policy change in between makes it decide again.
 * Approvals read the policy from the same org stream at decision time, so a tightened threshold
 * applies to requests already pending.
 */
@CommandHandler(ChangeOrgPolicyCommand)
export class ChangeOrgPolicyHandler implements ICommandHandler<ChangeOrgPolicyCommand> {
  constructor(
    private readonly directory: Directory,
    private readonly proofs: Proofs,
    private readonly writer: EventWriter,
  ) {}

  async execute({ context, policy, challengeId, signature, basedOnVersion }: ChangeOrgPolicyCommand): Promise<ChangedOrgPolicy> {
    const proof = await this.proofs.open(challengeId, signature);
    return retryOnConflict(async (freshSince) => {
      const { org, actor, keys } = await this.directory.actor(context.orgId, context.actor, freshSince);
      // Decided at the time it is recorded (the last event's of the org stream or of a stream it read, if this instance's clock is behind it), as the offline verifier checks its challenge.
      const { events } = organizationDecider.decide(
        { type: 'ChangeOrgPolicy', actorId: actor.agentId, actorKey: actor.activeKey, policy, proof, now: recordedAt(context.now, [org], [keys]), basedOnVersion },
        org.state,
      );
      const position = await this.writer.write(context, decided(org, events), guard(keys));
      const { policyVersion } = events.reduce(organizationDecider.evolve, org.state);
      return { policy, policyVersion, changed: events.length > 0, ...(position !== undefined && { position }) };
    });
  }
}
