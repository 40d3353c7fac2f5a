import { checkPublicKey, fingerprint, type PublicKeyProblem } from '../../crypto/public-key';
import { sameVerificationCode, verificationCode } from '../../crypto/verification-code';
import type { ActiveKey } from '../shared/actor';
import { checkChallenge, recordProof, requireSignature } from '../shared/check-proof';
import { KEY_EVENTS } from '../events/event-catalogue';
import type { Decider, Outcome } from '../shared/decider';
import { DomainRefusal, refuse } from '../shared/refusal';
import { isApproverRole, refuseAuditor } from '../shared/roles';
import { challengeOf, withUsedNonce } from '../shared/used-nonces';
import { approvalThreshold, countedApprovals } from './approval-threshold';
import type { ApproveKey, GrantRecoveredKey, KeyCommand, RejectKey, ReleaseAgentKeys, RequestKey, RevokeKey } from './key.commands';
import { MAX_APPROVAL_ATTEMPTS, signedApproval, type KeyApproved, type KeyEvent, type KeyReleaseReason, type KeyRevoked } from './key.events';
import { initialKeyState, type KeyRequestEntry, type KeyState } from './key.state';
import { deadlinesOf, expireKeyRequest, refuseExpired, remindApprovers } from './request-deadlines';
import { isoInstant } from '../../shared/iso-instant';
import { quoted } from '../../shared/quoted';

const PUBLIC_KEY_PROBLEMS: Record<PublicKeyProblem, string> = {
  NOT_BASE64URL: 'it is not canonical base64url without padding',
  WRONG_LENGTH: 'a raw Ed25519 public key is 32 bytes',
  NOT_A_POINT: 'it is not a point of the Ed25519 curve',
  SMALL_ORDER: 'it is a point of small order, under which signatures can be forged',
  MIXED_ORDER: 'it has a small-order component, which no honest key generator produces',
};

/**
 * R2, R3, R4, R7, R8. An AUDITOR changes nothing and performs no sensitive task, so holds no key.
 * The FIRST_KEY is approved at once; the handler appends FirstKeyAssigned to the org stream in the
 * same commit, and the org stream's revision lets exactly one first key through.
 */
function requestKey(command: RequestKey, state: KeyState): KeyEvent[] {
  const { orgId, requester, requestId, publicKey, proof, org } = command;
  refuseAuditor(requester.role);
  const problem = checkPublicKey(publicKey);
  if (problem) {
    const why = PUBLIC_KEY_PROBLEMS[problem];
    refuse('UNPROCESSABLE', 'INVALID_PUBLIC_KEY', `The public key cannot be registered: ${why}.`, { problem });
  }
  const expected = { purpose: 'KEY_REQUEST' as const, orgId, agentId: requester.agentId, publicKey };
  checkChallenge(proof, expected, command.now, state.usedNonces);
  requireSignature(proof, publicKey, 'the requested public key (proof of possession)');
  const keyFingerprint = fingerprint(publicKey);
  if (state.active?.fingerprint === keyFingerprint) {
    refuse('CONFLICT', 'KEY_ALREADY_ACTIVE', 'This public key is already your ACTIVE key.');
  }
  if (state.revokedFingerprints.has(keyFingerprint)) {
    refuse('CONFLICT', 'KEY_REVOKED', 'This public key was revoked and signs nothing any more: generate a new key pair.');
  }
  if (state.requests.has(requestId)) refuse('CONFLICT', 'REQUEST_EXISTS', `Key request ${quoted(requestId)} already exists.`);
  const firstKey = !org.firstKeyAssigned;
  if (firstKey && org.policy.firstKeyRequiresAdmin && !isApproverRole(requester.role)) {
    refuse(
      'CONFLICT',
      'FIRST_KEY_REQUIRES_ADMIN',
      'The first key of this organization is granted without approval, so it must go to an ADMIN or SUPER_ADMIN: only they can approve the key requests that follow. Ask an admin to request their key first.',
    );
  }
  const events: KeyEvent[] = [];
  if (state.pendingRequestId) {
    // R20: a request past its expiry is decided by nobody, whether or not the scheduler recorded it: it no longer blocks a new one.
    const pending = state.requests.get(state.pendingRequestId)!;
    const dead = isoInstant(command.now) >= isoInstant(deadlinesOf(pending, org.policy).expiresAt);
    if (!command.replacePending && !dead) {
      refuse(
        'CONFLICT',
        'REQUEST_PENDING',
        'You already have a PENDING key request: send replacePending: true to cancel it and make this one instead.',
        { pendingRequestId: state.pendingRequestId },
      );
    }
    events.push({
      type: 'KeyRequestCancelled',
      data: {
        requestId: state.pendingRequestId,
        agentId: requester.agentId,
        reason: 'REPLACED_BY_NEW_REQUEST',
        cancelledBy: requester.agentId,
      },
    });
  }
  // The key's fields first, then the event's own: on Node 20's V8 an object literal that starts with
  // a spread and adds a property takes a new hidden class each time.
  const key = <T>(more: T) => ({ requestId, agentId: requester.agentId, publicKey, fingerprint: keyFingerprint, ...more });
  events.push({
    type: 'KeyRequested',
    data: key({
      verificationCode: verificationCode(orgId, requester.agentId, publicKey),
      proof: recordProof(proof, publicKey),
      ...(state.active && { replacesFingerprint: state.active.fingerprint }),
    }),
  });
  if (firstKey) events.push({ type: 'KeyApproved', data: key({ mode: 'FIRST_KEY' as const }) });
  return events;
}

/**
 * R6, R8: who may decide on a request, and the signed decision challenge they answer.
 * Returns the request, the key that signed and whether this is the approver's own ROTATION.
 * The role comes first: a caller who may not decide learns nothing about the request (issue 12).
 */
function authorizeDecision(
  command: ApproveKey | RejectKey,
  state: KeyState,
  decision: 'APPROVE' | 'REJECT',
  rotationAllowed: boolean,
): { request: KeyRequestEntry; signingKey: ActiveKey; rotation: boolean } {
  const { approver, requestId } = command;
  if (!isApproverRole(approver.role)) {
    refuse('FORBIDDEN', 'NOT_AN_APPROVER', 'Only an ADMIN or SUPER_ADMIN approves or rejects key requests.');
  }
  const request =
    state.requests.get(requestId) ?? refuse('NOT_FOUND', 'REQUEST_NOT_FOUND', `Key request ${quoted(requestId)} does not exist.`);
  if (request.status !== 'PENDING') {
    refuse('CONFLICT', 'REQUEST_NOT_PENDING', `The key request is ${request.status}, not PENDING: it can no longer be decided.`, {
      requestStatus: request.status,
    });
  }
  refuseExpired(request, command.policy, command.now);
  const signingKey =
    approver.activeKey ??
    refuse('FORBIDDEN', 'APPROVER_HAS_NO_ACTIVE_KEY', 'Decisions are signed with your ACTIVE key, and you have none: get your own key approved first.');
  const own = approver.agentId === state.agentId;
  const rotation = own && rotationAllowed && state.active?.fingerprint === signingKey.fingerprint;
  if (own && !rotation) {
    refuse(
      'FORBIDDEN',
      'SELF_DECISION',
      'Nobody decides on their own key request: another ADMIN or SUPER_ADMIN with an ACTIVE key must. (Only the org\'s sole approver with an ACTIVE key may approve their own key replacement.)',
    );
  }
  checkChallenge(
    command.proof,
    {
      purpose: 'KEY_DECISION',
      orgId: command.orgId,
      agentId: approver.agentId,
      requestId,
      requesterPublicKey: request.publicKey,
      decision,
    },
    command.now,
    state.usedNonces,
  );
  requireSignature(command.proof, signingKey.publicKey, 'your ACTIVE key');
  return { request, signingKey, rotation };
}

/**
 * R5, R6, R8, R20. A wrong verification code is a RECORDED refusal: the attempt (and on the 5th
 * the lock) is returned as events with the refusal, which the caller answers (422) after appending
 * them. A correct approval below the threshold is recorded (KeyApprovalRecorded); the one that
 * reaches it activates the key. On activation an ACTIVE key is revoked (REPLACED) before the new
 * one is approved, so that no position of the log shows two ACTIVE keys.
 */
function approveKey(command: ApproveKey, state: KeyState): Outcome<KeyEvent> {
  const { approver } = command;
  const rotationAllowed = command.activeApprovers === 0;
  const { request, signingKey, rotation } = authorizeDecision(command, state, 'APPROVE', rotationAllowed);
  // R18: a change to AUDITOR cancels the request in the same commit; this holds for logs written before that rule.
  if (command.requesterRole === 'AUDITOR') {
    refuse('CONFLICT', 'REQUESTER_IS_AUDITOR', 'The requester is now an AUDITOR, who holds no key: this request can only be rejected.');
  }
  const agentId = state.agentId as string;
  const decision = recordProof(command.proof, signingKey.publicKey);
  if (!sameVerificationCode(command.verificationCode, request.verificationCode)) {
    const failedAttempts = request.failedAttempts + 1;
    const events: KeyEvent[] = [
      {
        type: 'KeyApprovalAttemptFailed',
        data: {
          requestId: request.requestId,
          agentId,
          attemptedBy: approver.agentId,
          failure: 'VERIFICATION_CODE_MISMATCH',
          failedAttempts,
          attemptsLeft: Math.max(0, MAX_APPROVAL_ATTEMPTS - failedAttempts),
          nonce: command.proof.challenge.nonce,
          decision,
        },
      },
    ];
    const locked = failedAttempts >= MAX_APPROVAL_ATTEMPTS;
    if (locked) events.push({ type: 'KeyRequestLocked', data: { requestId: request.requestId, agentId, failedAttempts } });
    return { events, refusal: codeMismatch(failedAttempts, locked) };
  }
  const required = approvalThreshold(command.policy, command.requesterRole ?? 'MEMBER', command.activeApprovers);
  const counted = countedApprovals(request, command.approverKeys);
  const again = counted.includes(approver.agentId);
  const approvals = again ? counted : [...counted, approver.agentId];
  if (approvals.length < required) {
    if (again) {
      refuse(
        'CONFLICT',
        'ALREADY_APPROVED',
        `You already approved this request: it waits for ${required - approvals.length} more approval(s) by other ADMINs or SUPER_ADMINs.`,
        { approvals, required },
      );
    }
    const data = { requestId: request.requestId, agentId, approvedBy: approver.agentId, approvals, required, decision };
    return { events: [{ type: 'KeyApprovalRecorded', data }] };
  }
  // The threshold is met, by this approval or, for an approver who already approved, by a threshold lowered since.
  const { requestId, publicKey, fingerprint: keyFingerprint } = request;
  const approved: KeyApproved = {
    type: 'KeyApproved',
    data: {
      requestId,
      agentId,
      publicKey,
      fingerprint: keyFingerprint,
      mode: rotation ? 'ROTATION' : 'APPROVAL',
      approvedBy: approver.agentId,
      decision,
    },
  };
  return { events: replacing(state.active, approved) };
}

/**
 * R20: a break-glass recovery took effect (the recovery decider checked the delay, the veto and
 * the role): the agent's PENDING request, while not past its expiry, is granted with mode
 * RECOVERY, replacing an ACTIVE key as an approval does. No verification code: nobody is left to
 * compare it, which the delay and the emails to every approver stand in for.
 */
function grantRecoveredKey(command: GrantRecoveredKey, state: KeyState): KeyEvent[] {
  const request = state.requests.get(command.requestId) ?? refuse('NOT_FOUND', 'REQUEST_NOT_FOUND', `Key request ${quoted(command.requestId)} does not exist.`);
  if (request.status !== 'PENDING') {
    refuse('CONFLICT', 'REQUEST_NOT_PENDING', `The key request is ${request.status}, not PENDING.`, { requestStatus: request.status });
  }
  refuseExpired(request, command.policy, command.now);
  const agentId = state.agentId as string;
  const { requestId, publicKey, fingerprint: keyFingerprint } = request;
  return replacing(state.active, { type: 'KeyApproved', data: { requestId, agentId, publicKey, fingerprint: keyFingerprint, mode: 'RECOVERY', recoveryId: command.recoveryId } });
}

/** R5: the answer to a wrong verification code, once its attempt (and lock) are recorded. */
function codeMismatch(failedAttempts: number, locked: boolean): DomainRefusal {
  const attemptsLeft = Math.max(0, MAX_APPROVAL_ATTEMPTS - failedAttempts);
  return new DomainRefusal(
    'UNPROCESSABLE',
    locked ? 'REQUEST_LOCKED' : 'VERIFICATION_CODE_MISMATCH',
    locked
      ? `The verification code does not match, for the ${failedAttempts}th time: the request is now locked and the agent must request a key again.`
      : `The verification code does not match the one of this request. ${attemptsLeft} attempt(s) left before the request is locked.`,
    { attemptsLeft, failedAttempts },
  );
}

function rejectKey(command: RejectKey, state: KeyState): KeyEvent[] {
  const { signingKey } = authorizeDecision(command, state, 'REJECT', false);
  return [
    {
      type: 'KeyRejected',
      data: {
        requestId: command.requestId,
        agentId: state.agentId as string,
        rejectedBy: command.approver.agentId,
        ...(command.reason !== undefined && { reason: command.reason }),
        decision: recordProof(command.proof, signingKey.publicKey),
      },
    },
  ];
}

/**
 * R9. Revocation needs no key of the admin's own (it only takes power away), and may be their own key.
 * The caller's role is checked before the agent is looked up, so that a MEMBER or an AUDITOR learns
 * from the refusal nothing of who is in the org (R14's rule within it: they may not read the directory).
 */
function revokeKey(command: RevokeKey, state: KeyState): KeyEvent[] {
  if (!isApproverRole(command.actor.role)) {
    refuse('FORBIDDEN', 'NOT_AN_APPROVER', 'Only an ADMIN or SUPER_ADMIN revokes keys.');
  }
  if (!command.agentIsMember) refuse('NOT_FOUND', 'AGENT_NOT_FOUND', `Agent ${quoted(command.agentId)} is not a member of this organization.`);
  const active = state.active ?? refuseNoActiveKey(state);
  return [revoked(state.agentId as string, active, 'REVOKED_BY_ADMIN', command.reason, command.actor.agentId)];
}

/** Names the agent's last key that was ACTIVE, if any: to a client retrying a revocation whose answer it lost, that the key is REVOKED. */
function refuseNoActiveKey(state: KeyState): never {
  const last = [...state.requests.values()].reverse().find((request) => request.status === 'REVOKED');
  if (!last) return refuse('NOT_FOUND', 'NO_ACTIVE_KEY', 'This agent has no ACTIVE key to revoke.');
  return refuse('NOT_FOUND', 'NO_ACTIVE_KEY', `This agent has no ACTIVE key to revoke: their last key ${last.fingerprint} is REVOKED.`, {
    lastKey: { fingerprint: last.fingerprint, status: last.status },
  });
}

const RELEASE_REASONS: Record<KeyReleaseReason, string> = {
  AGENT_REMOVED: 'The agent was removed from the organization.',
  ROLE_CHANGED_TO_AUDITOR: 'The agent became an AUDITOR, who holds no key (R18).',
};

/**
 * R9, R18: a removed agent, or an AUDITOR, keeps no key and no pending request. The request is
 * cancelled before the key is revoked, so that no position shows a key revoked for a replacement still waiting.
 */
function releaseKeys(command: ReleaseAgentKeys, state: KeyState): KeyEvent[] {
  const { reason, actorId } = command;
  const agentId = state.agentId as string;
  const events: KeyEvent[] = [];
  if (state.pendingRequestId) {
    events.push({ type: 'KeyRequestCancelled', data: { requestId: state.pendingRequestId, agentId, reason, cancelledBy: actorId } });
  }
  if (state.active) events.push(revoked(agentId, state.active, reason, RELEASE_REASONS[reason], actorId));
  return events;
}

/** The state after a request changed; a request that leaves PENDING is no longer the pending one. */
function withRequest(state: KeyState, requestId: string, change: Partial<KeyRequestEntry>): KeyState {
  const request = state.requests.get(requestId);
  if (!request) return state;
  const updated = { ...request, ...change };
  const requests = new Map(state.requests).set(requestId, updated);
  const stillPending = state.pendingRequestId !== requestId || updated.status === 'PENDING';
  return { ...state, requests, pendingRequestId: stillPending ? state.pendingRequestId : undefined };
}

/** One agent's key requests, decisions and ACTIVE key. */
export const keyDecider: Decider<KeyCommand, KeyState, KeyEvent> = {
  initialState: initialKeyState,
  events: KEY_EVENTS,

  decide(command, state) {
    switch (command.type) {
      case 'RequestKey':
        return { events: requestKey(command, state) };
      case 'ApproveKey':
        return approveKey(command, state);
      case 'RejectKey':
        return { events: rejectKey(command, state) };
      case 'RevokeKey':
        return { events: revokeKey(command, state) };
      case 'ReleaseAgentKeys':
        return { events: releaseKeys(command, state) };
      case 'ExpireKeyRequest':
        return { events: expireKeyRequest(command, state) };
      case 'RemindApprovers':
        return { events: remindApprovers(command, state) };
      case 'GrantRecoveredKey':
        return { events: grantRecoveredKey(command, state) };
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'KeyRequested': {
        const { requestId, agentId, publicKey, fingerprint: keyFingerprint, verificationCode: code, proof, replacesFingerprint } = event.data;
        const entry: KeyRequestEntry = {
          requestId,
          publicKey,
          fingerprint: keyFingerprint,
          verificationCode: code,
          status: 'PENDING',
          failedAttempts: 0,
          challengeExpiresAt: challengeOf(proof.statement).expiresAt,
          reminded: false,
          approvals: [],
          approvedWith: new Map(),
          // Present even when undefined, as in initialKeyState: `withRequest` copies entries.
          replacesFingerprint,
          mode: undefined,
          activatedBy: undefined,
        };
        return {
          ...state,
          agentId,
          requests: new Map(state.requests).set(requestId, entry),
          pendingRequestId: requestId,
          usedNonces: withUsedNonce(state.usedNonces, proof.statement),
        };
      }
      case 'KeyApproved': {
        const { requestId, publicKey, fingerprint: keyFingerprint, mode } = event.data;
        const decision = signedApproval(event.data)?.decision;
        const approved = withRequest(state, requestId, { status: 'APPROVED', mode, activatedBy: signedApproval(event.data)?.approvedBy });
        return {
          ...approved,
          active: { requestId, publicKey, fingerprint: keyFingerprint },
          usedNonces: decision ? withUsedNonce(state.usedNonces, decision.statement) : state.usedNonces,
        };
      }
      case 'KeyApprovalRecorded': {
        const { requestId, approvals, approvedBy, decision } = event.data;
        const approvedWith = new Map(state.requests.get(requestId)?.approvedWith).set(approvedBy, fingerprint(decision.publicKey));
        return {
          ...withRequest(state, requestId, { approvals, approvedWith }),
          usedNonces: withUsedNonce(state.usedNonces, decision.statement),
        };
      }
      case 'KeyRejected':
        return {
          ...withRequest(state, event.data.requestId, { status: 'REJECTED' }),
          usedNonces: withUsedNonce(state.usedNonces, event.data.decision.statement),
        };
      case 'KeyApprovalAttemptFailed':
        return {
          ...withRequest(state, event.data.requestId, { failedAttempts: event.data.failedAttempts }),
          usedNonces: withUsedNonce(state.usedNonces, event.data.decision.statement),
        };
      case 'KeyRequestLocked':
        return withRequest(state, event.data.requestId, { status: 'LOCKED' });
      case 'KeyRequestCancelled':
        return withRequest(state, event.data.requestId, { status: 'CANCELLED' });
      case 'KeyRequestExpired':
        return withRequest(state, event.data.requestId, { status: 'EXPIRED' });
      case 'KeyRequestReminderSent':
        return withRequest(state, event.data.requestId, { reminded: true });
      case 'KeyRevoked': {
        const revoked = withRequest(state, event.data.requestId, { status: 'REVOKED' });
        return {
          ...revoked,
          active: state.active?.requestId === event.data.requestId ? undefined : state.active,
          revokedFingerprints: new Set(state.revokedFingerprints).add(event.data.fingerprint),
        };
      }
    }
  },
};

/**
 * R8: an approval (or a recovery's grant) that finds a key ACTIVE revokes it (REPLACED), by whoever
 * approved (the agent for a recovery), just before the new key's KeyApproved, so that no position
 * of the log shows two ACTIVE keys. Audit verify compares a log's REPLACED revocations with it.
 */
export function replacing(active: ActiveKey | undefined, approved: KeyApproved): KeyEvent[] {
  if (!active) return [approved];
  const { agentId, fingerprint: keyFingerprint } = approved.data;
  const revokedBy = signedApproval(approved.data)?.approvedBy ?? agentId;
  return [revoked(agentId, active, 'REPLACED', `Replaced by key ${keyFingerprint}`, revokedBy), approved];
}

/** The revocation of an agent's ACTIVE key, for whichever reason. */
function revoked(agentId: string, active: ActiveKey, reasonCode: KeyRevoked['data']['reasonCode'], reason: string, revokedBy: string): KeyRevoked {
  return {
    type: 'KeyRevoked',
    data: { agentId, requestId: active.requestId, fingerprint: active.fingerprint, reasonCode, reason, revokedBy },
  };
}
