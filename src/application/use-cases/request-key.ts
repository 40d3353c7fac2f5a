import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { organizationDecider } from '../../domain/organization/organization.decider';
import { publicKeyDecider } from '../../domain/public-key/public-key.decider';
import { fold } from '../../domain/shared/decider';
import { holdsNoKey, isApproverRole, type Role } from '../../domain/shared/roles';
import { keyDecider } from '../../domain/signature-key/key.decider';
import type { KeyRequestEntry, KeyState } from '../../domain/signature-key/key.state';
import { orgStream, publicKeyStream } from '../../domain/streams';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.port';
import type { CommandContext } from '../command-context';
import { retryOnConflict } from '../conflict-retry';
import { Directory } from '../directory';
import { decided, EventWriter, recordedAt } from '../event-writer';
import { Proofs } from '../proofs';
import { type IdempotencyKey, KeyedCommand, positionOf } from '../idempotency';
import { newRequestId, requestIdOf } from '../request-ids';
import { type LoadedStream, StreamStates } from '../stream-states';
import { RateLimits } from '../../rate-limits/rate-limits';

export interface RequestedKey {
  requestId: string;
  status: 'PENDING' | 'APPROVED';
  verificationCode: string;
  fingerprint: string;
  position: bigint;
  warning?: string;
}

export class RequestKeyCommand extends Command<RequestedKey> {
  constructor(
    readonly context: CommandContext,
    readonly publicKey: string,
    readonly challengeId: string,
    readonly signature: string,
    readonly replacePending: boolean,
    readonly idempotency?: IdempotencyKey,
  ) {
    super();
  }
}

/**
 * Says the way out that works: an admin's own request, now never a first key, would wait for an
 * approver with an ACTIVE key, and there is none until a SUPER_ADMIN promotes this holder.
 */
const MEMBER_FIRST_KEY_WARNING =
  'This is the first key of the organization and was approved without review, but its holder is not an ADMIN or ' +
  'SUPER_ADMIN: until an ADMIN or SUPER_ADMIN holds an ACTIVE key, nobody can approve any other key request, ' +
  "the admins' own included. A SUPER_ADMIN can make this agent an ADMIN, who can then approve them; otherwise " +
  'only an operator\'s break-glass recovery restores an approver.';

/**
 * R2-R4, R7, R8, R18. The first key of an org is arbitrated by the org stream's revision
 * (FirstKeyAssigned); a public key's one holder by its key stream's revision (PublicKeyClaimed),
 * decided after the proof of possession so that nobody learns whether a key is taken without holding it.
 */
@CommandHandler(RequestKeyCommand)
export class RequestKeyHandler implements ICommandHandler<RequestKeyCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly directory: Directory,
    private readonly proofs: Proofs,
    private readonly states: StreamStates,
    private readonly writer: EventWriter,
    private readonly limits: RateLimits,
  ) {}

  async execute({ context, publicKey, challengeId, signature, replacePending, idempotency }: RequestKeyCommand): Promise<RequestedKey> {
    const proof = await this.proofs.open(challengeId, signature);
    const spendOrgBudget = this.limits.orgBudget('key_requests_per_org', context.orgId);
    const keyed = idempotency && new KeyedCommand(`request-key\n${context.orgId}\n${context.actor}`, idempotency);
    const requestId = keyed ? requestIdOf(keyed.resourceId, context.actor) : newRequestId(context.actor);
    return retryOnConflict(async (freshSince) => {
      const { org, actor, keys } = await this.directory.actor(context.orgId, context.actor, freshSince);
      // A retry by a caller who may no longer request keys (now an AUDITOR) is decided anew, and refused as any of their requests.
      const earlier = keyed && !holdsNoKey(actor.role) && keys.state.requests.get(requestId);
      if (earlier) return this.replay(context.orgId, keys, earlier, actor.role, keyed, freshSince);
      // Decided at the time it is recorded: the agent's stream's last event's, or the org stream's
      // (written for the first key, guarding the append otherwise), if this instance's clock is behind
      // it; its challenge is checked there, as the offline verifier does, and the request's deadlines
      // count from it. The public key's stream is written only while empty.
      const writesOrg = org.state.firstKey === undefined;
      const now = recordedAt(context.now, writesOrg ? [keys, org] : [keys], writesOrg ? [] : [org]);
      const { events: keyEvents } = keyDecider.decide(
        {
          type: 'RequestKey',
          orgId: context.orgId,
          requester: actor,
          requestId,
          publicKey,
          proof,
          replacePending,
          org: { policy: org.state.policy, firstKeyAssigned: org.state.firstKey !== undefined },
          now,
        },
        keys.state,
      );
      // Spent by a member whose request is about to be recorded: a removed agent's token spends none of it.
      await spendOrgBudget();
      const requested = fold(keyDecider, keyEvents, keys.state).requests.get(requestId)!;
      const firstKey = requested.mode === 'FIRST_KEY';
      const orgEvents = firstKey
        ? organizationDecider.decide({ type: 'AssignFirstKey', agentId: actor.agentId, requestId }, org.state).events
        : [];
      const claim = await this.states.load(publicKeyStream(context.orgId, requested.fingerprint), publicKeyDecider, freshSince);
      const { events: claimEvents } = publicKeyDecider.decide(
        { type: 'ClaimPublicKey', fingerprint: requested.fingerprint, agentId: actor.agentId, requestId },
        claim.state,
      );
      // With no org event, the org stream guards the request: role, policy and first key as read (R17).
      const position = await this.writer.write(
        { ...context, eventId: keyed?.eventId },
        decided(keys, keyEvents),
        decided(claim, claimEvents),
        decided(org, orgEvents),
      );
      return answer(requested, firstKey, actor.role, position!);
    });
  }

  /**
   * A retry of a keyed request that went through: the first answer, rebuilt from its events (the
   * request in the agent's stream, the claim of its key, the org's first key), whatever befell it since.
   */
  private async replay(orgId: string, keys: LoadedStream<KeyState>, request: KeyRequestEntry, role: Role, keyed: KeyedCommand, freshSince: number): Promise<RequestedKey> {
    const firstKey = request.mode === 'FIRST_KEY';
    const streams = [keys.stream, publicKeyStream(orgId, request.fingerprint), ...(firstKey ? [orgStream(orgId)] : [])];
    const read = await Promise.all(streams.map((stream) => this.store.readStream(stream, 0n, { freshSince })));
    return answer(request, firstKey, role, positionOf(keyed.ownEvents(read.flat())));
  }
}

function answer(request: KeyRequestEntry, firstKey: boolean, role: Role, position: bigint): RequestedKey {
  return {
    requestId: request.requestId,
    status: firstKey ? 'APPROVED' : 'PENDING',
    verificationCode: request.verificationCode,
    fingerprint: request.fingerprint,
    position,
    ...(firstKey && !isApproverRole(role) ? { warning: MEMBER_FIRST_KEY_WARNING } : {}),
  };
}
