import { unhandledEvent, type LogEvent } from '../src/domain/events/event-catalogue';
import type { RecordedEvent } from '../src/event-store/event-store.port';
import { fingerprint } from '../src/crypto/public-key';
import { MAX_APPROVAL_ATTEMPTS } from '../src/domain/signature-key/key.events';
import { challengeOf } from '../src/domain/shared/used-nonces';
import { documentId, type DocumentChange } from './document-change';
import { eventTime, safeNumber, type Projection } from './projection';

/** One PENDING key request: what an approver needs to decide on it. */
export type PendingKeyDocument = {
  orgId: string;
  requestId: string;
  agentId: string;
  publicKey: string;
  fingerprint: string;
  /** The approver compares it with the code the requester reads to them (R5). */
  verificationCode: string;
  /** Fingerprint of the ACTIVE key the request would replace (R8). */
  replacesFingerprint: string | null;
  requestedAt: string;
  /** R20: expiry of the challenge the request answered, which its deadlines count from (deadlinesOf). */
  challengeExpiresAt: string;
  /** Log position of the request: the list is oldest first by it. */
  requestedPosition: number;
  failedAttempts: number;
  attemptsLeft: number;
  /** R20: when its approvers were reminded of it; null until then. */
  remindedAt: string | null;
  /** R20 M-of-N: the approvers whose approvals count so far, in order. */
  approvals: string[];
};

/**
 * R20 M-of-N: one approver's approval of a PENDING request, with the fingerprint of the key that
 * signed it (their latest, as the key decider keeps it): it counts only while that key is the
 * approver's ACTIVE key, which the pending list checks against the org-status model.
 */
export type KeyApprovalDocument = {
  orgId: string;
  requestId: string;
  approverId: string;
  fingerprint: string;
};

export const pendingKeyId = (orgId: string, requestId: string): string => documentId(orgId, requestId);
export const keyApprovalId = (orgId: string, requestId: string, approverId: string): string => documentId(orgId, requestId, approverId);

/** The request is no longer PENDING: it leaves the list, with its approvals. */
const ended = (orgId: string, requestId: string): DocumentChange[] => [
  { kind: 'delete', collection: 'pending_keys', id: pendingKeyId(orgId, requestId) },
  { kind: 'deleteWhere', collection: 'key_approvals', where: { orgId, requestId } },
];

export const pendingKeysProjection: Projection = {
  name: 'pending-keys',
  version: 1,
  collections: ['pending_keys', 'key_approvals'],
  types: new Set(['KeyRequested', 'KeyApprovalAttemptFailed', 'KeyRequestReminderSent', 'KeyApprovalRecorded', 'KeyApproved', 'KeyRequestExpired', 'KeyRejected', 'KeyRequestLocked', 'KeyRequestCancelled']),

  project(event: RecordedEvent<LogEvent>): DocumentChange[] {
    const { orgId } = event.metadata;
    switch (event.type) {
      case 'KeyRequested': {
        const { requestId, agentId, publicKey, fingerprint, verificationCode, replacesFingerprint, proof } = event.data;
        const document: PendingKeyDocument = {
          orgId,
          requestId,
          agentId,
          publicKey,
          fingerprint,
          verificationCode,
          replacesFingerprint: replacesFingerprint ?? null,
          requestedAt: eventTime(event),
          challengeExpiresAt: challengeOf(proof.statement).expiresAt,
          requestedPosition: safeNumber(event.position),
          failedAttempts: 0,
          attemptsLeft: MAX_APPROVAL_ATTEMPTS,
          remindedAt: null,
          approvals: [],
        };
        return [{ kind: 'upsert', collection: 'pending_keys', id: pendingKeyId(orgId, requestId), document }];
      }
      case 'KeyApprovalAttemptFailed': {
        const { requestId, failedAttempts, attemptsLeft } = event.data;
        return [
          { kind: 'patch', collection: 'pending_keys', id: pendingKeyId(orgId, requestId), set: { failedAttempts, attemptsLeft } },
        ];
      }
      case 'KeyRequestReminderSent':
        return [{ kind: 'patch', collection: 'pending_keys', id: pendingKeyId(orgId, event.data.requestId), set: { remindedAt: eventTime(event) } }];
      case 'KeyApprovalRecorded': {
        const { requestId, approvals, approvedBy, decision } = event.data;
        const approval: KeyApprovalDocument = { orgId, requestId, approverId: approvedBy, fingerprint: fingerprint(decision.publicKey) };
        return [
          { kind: 'patch', collection: 'pending_keys', id: pendingKeyId(orgId, requestId), set: { approvals } },
          { kind: 'upsert', collection: 'key_approvals', id: keyApprovalId(orgId, requestId, approvedBy), document: approval },
        ];
      }
      case 'KeyApproved':
      case 'KeyRequestExpired':
      case 'KeyRejected':
      case 'KeyRequestLocked':
      case 'KeyRequestCancelled':
        return ended(orgId, event.data.requestId);
      case 'KeyRevoked':
      case 'OrganizationCreated':
      case 'AgentAdded':
      case 'AgentRoleChanged':
      case 'AgentRemoved':
      case 'FirstKeyAssigned':
      case 'OrgPolicyChanged':
      case 'PublicKeyClaimed':
      case 'PromptFrequencyChanged':
      case 'SensitiveTaskAuthorized':
      case 'SensitiveTaskRefused':
      case 'CheckpointSigned':
      case 'RecoveryStarted':
      case 'RecoveryReminderSent':
      case 'RecoveryVetoed':
      case 'RecoveryCompleted':
      case 'RecoveryLapsed':
        return [];
      default:
        return unhandledEvent(event);
    }
  },
};
