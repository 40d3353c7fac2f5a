import canonicalize from 'canonicalize';
import { fingerprint } from '../../crypto/public-key';
import { verificationCode } from '../../crypto/verification-code';
import { roleOf } from '../../domain/organization/organization.state';
import type { ActiveKey } from '../../domain/shared/actor';
import { keyDecider, replacing } from '../../domain/signature-key/key.decider';
import { KEY_RELEASE_REASONS, MAX_APPROVAL_ATTEMPTS, type KeyApproved, type KeyEvent, type KeyReleaseReason, type KeyRevoked } from '../../domain/signature-key/key.events';
import { initialKeyState, type KeyRequestEntry, type KeyState } from '../../domain/signature-key/key.state';
import { deadlinesOf } from '../../domain/signature-key/request-deadlines';
import { asDecided } from './as-decided';
import { byScheduler } from './by-scheduler';
import { KeyDecisions } from './key-decisions';
import { violation } from './log-violation';
import type { RecoveryReplay } from './recovery-replay';
import type { ReplayedOrg } from './replayed-org';
import type { Decoded } from './replayed-event';
import { checkStatement } from './signed-statement';

/**
 * The key streams of one org, replayed: each key's lifecycle (requests, locks, expiries, reminders,
 * cancellations, revocations, releases, replacements) and its fold; the approvers' decisions on a
 * PENDING request are KeyDecisions'.
 */
export class KeyReplay {
  /**
   * Per agent, the key an approval just revoked (REPLACED), and that revocation, which the agent's
   * next event, the approval, must be the one to write: the key was ACTIVE when the approver signed.
   */
  private readonly replaced = new Map<string, { key: ActiveKey; revocation: KeyRevoked }>();
  /** R8: per agent, the request a new request just cancelled (REPLACED_BY_NEW_REQUEST): the agent's next event is that new request. */
  private readonly replacedRequests = new Map<string, string>();

  private readonly decisions: KeyDecisions;

  constructor(
    private readonly replayed: ReplayedOrg,
    recovery: RecoveryReplay,
  ) {
    this.decisions = new KeyDecisions(replayed, recovery, (agentId) => this.replaced.get(agentId)?.key);
  }

  replay(agentId: string, event: Decoded<KeyEvent>): void {
    if (event.data.agentId !== agentId) violation(`${event.type} is about agent "${event.data.agentId}" but is in the key stream of "${agentId}"`);
    const releasing = releaseReasonOf(event);
    this.replayed.settleRelease(event, releasing === undefined ? undefined : agentId);
    const state = this.replayed.keys.get(agentId) ?? initialKeyState;
    // R5: the decider locks a request in the commit of its last wrong code, right after it.
    const unlocked = state.pendingRequestId === undefined ? undefined : state.requests.get(state.pendingRequestId);
    if (unlocked && unlocked.failedAttempts >= MAX_APPROVAL_ATTEMPTS && event.type !== 'KeyRequestLocked') {
      violation(`key request ${unlocked.requestId} had ${unlocked.failedAttempts} wrong verification codes but the next event of "${agentId}"'s keys is ${event.type}, not its KeyRequestLocked`);
    }
    const replaced = this.replaced.get(agentId);
    if (replaced && (event.type !== 'KeyApproved' || event.data.mode === 'FIRST_KEY')) {
      violation(`key ${replaced.key.fingerprint} was revoked as REPLACED, but the next event of "${agentId}"'s keys is ${event.type}, not the approval that replaces it`);
    }
    const cancelled = this.replacedRequests.get(agentId);
    if (cancelled !== undefined && event.type !== 'KeyRequested') {
      violation(`key request ${cancelled} was cancelled as REPLACED_BY_NEW_REQUEST, but the next event of "${agentId}"'s keys is ${event.type}, not the request that replaces it`);
    }
    this.checkKeyEvent(agentId, state, event);
    if (releasing) this.release(agentId, state, event, releasing);
    if (event.type === 'KeyRevoked' && event.data.reasonCode === 'REPLACED' && state.active) this.replaced.set(agentId, { key: state.active, revocation: { type: event.type, data: event.data } });
    else this.replaced.delete(agentId);
    if (event.type === 'KeyRequestCancelled' && event.data.reason === 'REPLACED_BY_NEW_REQUEST') this.replacedRequests.set(agentId, event.data.requestId);
    else this.replacedRequests.delete(agentId);
    this.replayed.foldKey(agentId, event);
  }

  private checkKeyEvent(agentId: string, state: KeyState, event: Decoded<KeyEvent>): void {
    switch (event.type) {
      case 'KeyRequested': {
        const { publicKey, proof, requestId } = event.data;
        if (event.actor !== agentId) violation(`a key request of "${agentId}" was made by "${event.actor}": agents request keys for themselves`);
        const role = roleOf(this.replayed.org, agentId) ?? violation(`"${agentId}" requested a key but is not in the org's directory`);
        if (role === 'AUDITOR') violation(`"${agentId}" is an AUDITOR, who holds no key`);
        if (state.requests.has(requestId)) violation(`key request ${requestId} is requested twice`);
        if (state.pendingRequestId !== undefined) {
          violation(`key request ${requestId} was made while request ${state.pendingRequestId} was PENDING, which a new request cancels just before (REPLACED_BY_NEW_REQUEST)`);
        }
        if (event.data.fingerprint !== fingerprint(publicKey)) violation(`the fingerprint of request ${requestId} is not the SHA-256 of its key`);
        if (event.data.verificationCode !== verificationCode(this.replayed.orgId, agentId, publicKey)) {
          violation(`the verification code of request ${requestId} is not the one derived from org, agent and key`);
        }
        // R8: the key it would replace is the one ACTIVE now, which the pending-keys view and the emails name.
        const { replacesFingerprint } = event.data;
        if (replacesFingerprint !== state.active?.fingerprint) {
          violation(
            `key request ${requestId} says it replaces ${replacesFingerprint ? `key ${replacesFingerprint}` : 'no key'}, but "${agentId}" held ${state.active ? `key ${state.active.fingerprint} ACTIVE` : 'no ACTIVE key'} at that point`,
          );
        }
        // Proof of possession: the new key signed the KEY_REQUEST challenge.
        checkStatement(event, proof, { purpose: 'KEY_REQUEST', orgId: this.replayed.orgId, agentId, publicKey }, { publicKey }, state.usedNonces);
        return;
      }
      case 'KeyApproved': {
        const request = pending(state, event.data.requestId);
        if (event.data.publicKey !== request.publicKey || event.data.fingerprint !== request.fingerprint) {
          violation(`the key approved is not the key of request ${request.requestId}`);
        }
        this.replacement(agentId, state, event);
        this.decisions.approved(agentId, state, request, event);
        return;
      }
      case 'KeyApprovalRecorded':
        return this.decisions.recorded(agentId, state, pending(state, event.data.requestId), event);
      case 'KeyRejected':
        return this.decisions.rejected(agentId, state, pending(state, event.data.requestId), event);
      case 'KeyApprovalAttemptFailed':
        return this.decisions.attemptFailed(agentId, state, pending(state, event.data.requestId), event);
      case 'KeyRequestLocked': {
        const request = pending(state, event.data.requestId);
        if (request.failedAttempts < MAX_APPROVAL_ATTEMPTS || event.data.failedAttempts !== request.failedAttempts) {
          violation(`request ${request.requestId} is locked after ${request.failedAttempts} wrong code(s), not ${MAX_APPROVAL_ATTEMPTS}`);
        }
        return;
      }
      case 'KeyRevoked': {
        if (state.active?.requestId !== event.data.requestId || state.active.fingerprint !== event.data.fingerprint) {
          violation(`key ${event.data.fingerprint} is revoked but is not the ACTIVE key of "${agentId}"`);
        }
        const { reasonCode, revokedBy, reason } = event.data;
        if (reasonCode === 'REPLACED' && state.pendingRequestId === undefined) {
          violation(`key ${event.data.fingerprint} is revoked as REPLACED, but "${agentId}" had no PENDING request: no approval replaces it`);
        }
        if (reasonCode === 'REVOKED_BY_ADMIN') {
          // R9: by an ADMIN or SUPER_ADMIN then (the handler guards the directory it read), as the key decider decides it.
          if (event.actor !== revokedBy) violation(`the revocation of key ${event.data.fingerprint} names "${revokedBy}" as revoker but was recorded for "${event.actor}"`);
          const role = roleOf(this.replayed.org, revokedBy) ?? violation(`"${revokedBy}" revoked key ${event.data.fingerprint} of "${agentId}" but "${revokedBy}" was not in the org at that point`);
          asDecided(event, `"${revokedBy}" (${role}) revoking key ${event.data.fingerprint} of "${agentId}"`, () =>
            keyDecider.decide({ type: 'RevokeKey', orgId: this.replayed.orgId, actor: { agentId: revokedBy, role }, agentId, agentIsMember: this.replayed.org.agents.has(agentId), reason, now: event.occurredAt }, state).events,
          );
        }
        return;
      }
      case 'KeyRequestCancelled':
        pending(state, event.data.requestId);
        // R8: cancelled by the agent's own new request, written just after it (key()).
        if (event.data.reason === 'REPLACED_BY_NEW_REQUEST' && (event.data.cancelledBy !== agentId || event.actor !== agentId)) violation(`key request ${event.data.requestId} of "${agentId}" is cancelled by a new request, but by "${event.data.cancelledBy}", recorded for "${event.actor}"`);
        return;
      // R20: a deadline acts on a PENDING request only once the org's policy at that point says it passed.
      case 'KeyRequestExpired': {
        const request = pending(state, event.data.requestId);
        const { pendingRequestExpiryHours } = this.replayed.org.policy;
        if (event.data.expiryHours !== pendingRequestExpiryHours) violation(`request ${request.requestId} expired after ${event.data.expiryHours} h, but the policy said ${pendingRequestExpiryHours} h`);
        const { expiresAt } = deadlinesOf(request, this.replayed.org.policy);
        if (Date.parse(event.occurredAt) < Date.parse(expiresAt)) violation(`request ${request.requestId} expired at ${event.occurredAt}, before its expiry ${expiresAt}`);
        byScheduler(event);
        return;
      }
      case 'KeyRequestReminderSent': {
        const request = pending(state, event.data.requestId);
        const { reminderAfterHours } = this.replayed.org.policy;
        if (request.reminded) violation(`the approvers of request ${request.requestId} were reminded twice`);
        if (event.data.reminderAfterHours !== reminderAfterHours) violation(`request ${request.requestId} was reminded after ${event.data.reminderAfterHours} h, but the policy said ${reminderAfterHours} h`);
        const { remindAt } = deadlinesOf(request, this.replayed.org.policy);
        if (Date.parse(event.occurredAt) < Date.parse(remindAt)) violation(`the approvers of request ${request.requestId} were reminded at ${event.occurredAt}, before ${remindAt}`);
        byScheduler(event);
        return;
      }
    }
  }

  /**
   * R9, R18: a removed agent's keys, or an AUDITOR's, are released in the commit of the directory
   * change, by its actor: each event of it is the one the key decider's ReleaseAgentKeys decides on
   * the agent's keys at that point, while the directory still says the agent was removed, or an AUDITOR.
   */
  private release(agentId: string, state: KeyState, event: Decoded<KeyEvent>, reason: KeyReleaseReason): void {
    const release = this.replayed.released.get(agentId);
    if (release === undefined || release.reason !== reason) return violation(`${event.type}: the keys of "${agentId}" are released for ${reason}, but no directory change released them for it at that point`);
    asDecided(event, `the release of the keys of "${agentId}" (${reason})`, () =>
      keyDecider.decide({ type: 'ReleaseAgentKeys', actorId: release.actorId, reason, now: event.occurredAt }, state).events,
    );
  }

  /**
   * R8: an approval that finds a key ACTIVE revokes it (REPLACED) just before, as the decider's own
   * `replacing` writes it: the revocation the log holds there is that one, and no key stays ACTIVE
   * unrevoked beside the new one.
   */
  private replacement(agentId: string, state: KeyState, event: Decoded<KeyApproved>): void {
    if (state.active) violation(`key request ${event.data.requestId} was approved while key ${state.active.fingerprint} was ACTIVE, which an approval revokes (REPLACED) just before`);
    const replaced = this.replaced.get(agentId);
    if (!replaced) return;
    const [expected] = replacing(replaced.key, { type: event.type, data: event.data });
    if (canonicalize(replaced.revocation) !== canonicalize(expected)) {
      violation(`key ${replaced.key.fingerprint} was revoked with ${canonicalize(replaced.revocation.data)}, but the approval of request ${event.data.requestId} revokes it with ${canonicalize(expected.data)}`);
    }
  }
}

/** Why a key event releases an agent's keys (R9, R18), if it does. */
function releaseReasonOf(event: KeyEvent): KeyReleaseReason | undefined {
  const reason = event.type === 'KeyRevoked' ? event.data.reasonCode : event.type === 'KeyRequestCancelled' ? event.data.reason : undefined;
  return KEY_RELEASE_REASONS.find((release) => release === reason);
}

function pending(state: KeyState, requestId: string): KeyRequestEntry {
  const request = state.requests.get(requestId) ?? violation(`key request ${requestId} was never requested in this stream`);
  if (request.status !== 'PENDING') violation(`key request ${requestId} was ${request.status}, not PENDING, at that point`);
  return request;
}
