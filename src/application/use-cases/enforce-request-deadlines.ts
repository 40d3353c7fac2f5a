import { POLICY_ACTOR } from '../../domain/shared/actor';
import { keyDecider } from '../../domain/signature-key/key.decider';
import type { ExpireKeyRequest, RemindApprovers, RequestDeadlines } from '../../domain/signature-key/key.commands';
import { deadlinesOf } from '../../domain/signature-key/request-deadlines';
import { newId } from '../../shared/ids';
import type { CommandContext } from '../command-context';
import { retryOnConflict } from '../conflict-retry';
import type { Directory } from '../directory';
import { decided, guard, type EventWriter } from '../event-writer';

/** A PENDING request the scheduler found old enough for a deadline to have passed. */
export interface DueCandidate {
  orgId: string;
  agentId: string;
  requestId: string;
}

/** A candidate as the pending-keys read model holds it: what its deadlines count from, and whether its approvers were reminded (absent in a document of an earlier release). */
export interface PendingCandidate extends DueCandidate {
  challengeExpiresAt?: string;
  remindedAt?: string | null;
}

/**
 * R20: expires a PENDING request past the org's expiry, or reminds its approvers once past the
 * reminder delay, through the key decider like any command: its agent stream's expected revision
 * (and the org stream, whose policy it read, as a guard) lets one of racing schedulers through;
 * the others find the request decided on their retry and record nothing.
 */
export class EnforceRequestDeadlines {
  constructor(
    private readonly directory: Directory,
    private readonly writer: EventWriter,
  ) {}

  /**
   * Whether a deadline of the request may have come at `now`, by what the pending-keys model holds
   * of it and the org's policy now, read once per org into `policies` (a pass's): a request not
   * due costs no agent stream read, whatever the org's number of pending requests. A model behind
   * the log errs only towards running (a reminder it has not applied: the decider records nothing).
   */
  async mayBeDue(request: PendingCandidate, now: Date, policies: Map<string, Promise<RequestDeadlines>>): Promise<boolean> {
    const { challengeExpiresAt } = request;
    if (challengeExpiresAt === undefined) return true;
    let policy = policies.get(request.orgId);
    if (!policy) policies.set(request.orgId, (policy = this.directory.org(request.orgId).then((org) => org.state.policy)));
    const { remindAt, expiresAt } = deadlinesOf({ challengeExpiresAt }, await policy);
    const at = now.toISOString();
    return at >= expiresAt || (at >= remindAt && request.remindedAt == null);
  }

  /** What was recorded for the request at `now`, if anything. */
  run({ orgId, agentId, requestId }: DueCandidate, now: Date): Promise<'EXPIRED' | 'REMINDED' | undefined> {
    return retryOnConflict(async (freshSince) => {
      const org = await this.directory.org(orgId, freshSince);
      const keys = await this.directory.keys(orgId, agentId, freshSince);
      const request = keys.state.requests.get(requestId);
      if (request?.status !== 'PENDING') return undefined;
      const policy = org.state.policy;
      const { remindAt, expiresAt } = deadlinesOf(request, policy);
      const at = now.toISOString();
      // A request past its expiry is expired without a reminder first: nobody can act on it any more.
      let command: ExpireKeyRequest | RemindApprovers;
      if (at >= expiresAt) command = { type: 'ExpireKeyRequest', requestId, policy, now: at };
      else if (at >= remindAt && !request.reminded) command = { type: 'RemindApprovers', requestId, policy, now: at };
      else return undefined;
      const { events } = keyDecider.decide(command, keys.state);
      const commandId = newId();
      const context: CommandContext = { actor: POLICY_ACTOR, orgId, correlationId: commandId, commandId, now };
      await this.writer.write(context, decided(keys, events), guard(org));
      return command.type === 'ExpireKeyRequest' ? 'EXPIRED' : 'REMINDED';
    });
  }
}
