import { unhandledEvent, type LogEvent } from '../src/domain/events/event-catalogue';
import type { RecordedEvent } from '../src/event-store/event-store.port';
import type { PromptFrequency } from '../src/domain/browser/browser.events';
import type { Role } from '../src/domain/shared/roles';
import { signedApproval, type ApprovalMode, type KeyRevoked } from '../src/domain/signature-key/key.events';
import { documentId, type Conditions, type DocumentChange, type FieldValues } from './document-change';
import { eventTime, type Projection } from './projection';

export const KEY_STATUSES = ['NONE', 'PENDING', 'ACTIVE', 'REJECTED', 'LOCKED', 'EXPIRED', 'REVOKED'] as const;
/** ACTIVE whenever the agent holds a key, even with a replacement pending; else the fate of the last request or key. */
export type KeyStatus = (typeof KEY_STATUSES)[number];

export type ActiveKeyStatus = {
  requestId: string;
  publicKey: string;
  fingerprint: string;
  mode: ApprovalMode;
  /** null for FIRST_KEY. */
  approvedBy: string | null;
  approvedAt: string;
};

export type RequestStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'LOCKED' | 'CANCELLED' | 'EXPIRED';

export type LastRequestStatus = {
  requestId: string;
  fingerprint: string;
  status: RequestStatus;
  requestedAt: string;
  failedAttempts: number;
  decidedAt: string | null;
};

export type RevocationStatus = {
  requestId: string;
  fingerprint: string;
  reasonCode: KeyRevoked['data']['reasonCode'];
  reason: string;
  revokedBy: string;
  revokedAt: string;
};

/** One agent of an org and the state of their signature key. */
export type AgentStatusDocument = {
  orgId: string;
  agentId: string;
  email: string;
  displayName: string;
  role: Role;
  keyStatus: KeyStatus;
  activeKey: ActiveKeyStatus | null;
  lastRequest: LastRequestStatus | null;
  lastRevocation: RevocationStatus | null;
  addedAt: string;
  updatedAt: string;
};

/**
 * One browser of an agent that remembers a signature (R10: DAILY or WEEKLY, set with the key the
 * agent holds). A browser without a document is at EVERY_TASK, the default: a logout, a setting back
 * to it or a change of the agent's key deletes the document, so that the status lists the browsers
 * where tasks pass without a signature, not every browser the agent ever used or logged out of.
 */
export type AgentBrowserDocument = {
  orgId: string;
  agentId: string;
  browserId: string;
  promptFrequency: Exclude<PromptFrequency, 'EVERY_TASK'>;
  changedAt: string;
};

export const agentStatusId = (orgId: string, agentId: string): string => documentId(orgId, agentId);
export const agentBrowserId = (orgId: string, agentId: string, browserId: string): string => documentId(orgId, agentId, browserId);

export const orgStatusProjection: Projection = {
  name: 'org-status',
  // 2: a logged-out browser (at EVERY_TASK) has no document.
  version: 2,
  collections: ['agent_status', 'agent_browsers'],
  types: new Set(['AgentAdded', 'AgentRoleChanged', 'AgentRemoved', 'KeyRequested', 'KeyApprovalAttemptFailed', 'KeyRequestLocked', 'KeyRejected', 'KeyRequestExpired', 'KeyRequestCancelled', 'KeyApproved', 'KeyRevoked', 'PromptFrequencyChanged']),

  project(event: RecordedEvent<LogEvent>): DocumentChange[] {
    const { orgId } = event.metadata;
    const at = eventTime(event);
    /** `set` is the caller's own literal: the time goes into it rather than into a spread copy of it. */
    const agent = (agentId: string, set: FieldValues, when?: Conditions): DocumentChange => {
      set.updatedAt = at;
      return { kind: 'patch', collection: 'agent_status', id: agentStatusId(orgId, agentId), set, when };
    };
    /** R10: any change of the agent's key sets every browser of theirs back to EVERY_TASK. */
    const resetBrowsers = (agentId: string): DocumentChange => ({ kind: 'deleteWhere', collection: 'agent_browsers', where: { orgId, agentId } });
    /** The request leaves PENDING; the key status follows it unless the agent still holds a key. */
    const closeRequest = (agentId: string, requestId: string, status: RequestStatus, keyStatus: KeyStatus): DocumentChange[] => [
      agent(agentId, { keyStatus }, { 'lastRequest.requestId': requestId, keyStatus: 'PENDING' }),
      agent(agentId, { 'lastRequest.status': status, 'lastRequest.decidedAt': at }, { 'lastRequest.requestId': requestId }),
    ];

    switch (event.type) {
      case 'AgentAdded': {
        const { agentId, email, displayName, role } = event.data;
        const document: AgentStatusDocument = {
          orgId,
          agentId,
          email,
          displayName,
          role,
          keyStatus: 'NONE',
          activeKey: null,
          lastRequest: null,
          lastRevocation: null,
          addedAt: at,
          updatedAt: at,
        };
        return [{ kind: 'upsert', collection: 'agent_status', id: agentStatusId(orgId, agentId), document }];
      }
      case 'AgentRoleChanged':
        return [agent(event.data.agentId, { role: event.data.to })];
      case 'AgentRemoved': {
        const { agentId } = event.data;
        return [
          { kind: 'delete', collection: 'agent_status', id: agentStatusId(orgId, agentId) },
          { kind: 'deleteWhere', collection: 'agent_browsers', where: { orgId, agentId } },
        ];
      }
      case 'KeyRequested': {
        const { agentId, requestId, fingerprint } = event.data;
        const lastRequest: LastRequestStatus = {
          requestId,
          fingerprint,
          status: 'PENDING',
          requestedAt: at,
          failedAttempts: 0,
          decidedAt: null,
        };
        return [agent(agentId, { lastRequest }), agent(agentId, { keyStatus: 'PENDING' }, { activeKey: null })];
      }
      case 'KeyApprovalAttemptFailed': {
        const { agentId, requestId, failedAttempts } = event.data;
        return [agent(agentId, { 'lastRequest.failedAttempts': failedAttempts }, { 'lastRequest.requestId': requestId })];
      }
      case 'KeyRequestLocked':
        return closeRequest(event.data.agentId, event.data.requestId, 'LOCKED', 'LOCKED');
      case 'KeyRejected':
        return closeRequest(event.data.agentId, event.data.requestId, 'REJECTED', 'REJECTED');
      case 'KeyRequestExpired':
        return closeRequest(event.data.agentId, event.data.requestId, 'EXPIRED', 'EXPIRED');
      case 'KeyRequestCancelled':
        // Cancelled for a new request (which follows at once) or for a removal (which deletes the agent).
        return closeRequest(event.data.agentId, event.data.requestId, 'CANCELLED', 'NONE');
      case 'KeyApproved': {
        const { agentId, requestId, publicKey, fingerprint, mode } = event.data;
        const activeKey: ActiveKeyStatus = {
          requestId,
          publicKey,
          fingerprint,
          mode,
          approvedBy: signedApproval(event.data)?.approvedBy ?? null,
          approvedAt: at,
        };
        return [
          agent(agentId, { keyStatus: 'ACTIVE', activeKey }),
          agent(agentId, { 'lastRequest.status': 'APPROVED', 'lastRequest.decidedAt': at }, { 'lastRequest.requestId': requestId }),
          resetBrowsers(agentId),
        ];
      }
      case 'KeyRevoked': {
        const { agentId, requestId, fingerprint, reasonCode, reason, revokedBy } = event.data;
        const lastRevocation: RevocationStatus = { requestId, fingerprint, reasonCode, reason, revokedBy, revokedAt: at };
        const revoked = { activeKey: null, lastRevocation };
        return [
          // A replacement is waiting (R8: it is approved right after): the agent is PENDING, not REVOKED.
          agent(agentId, { ...revoked, keyStatus: 'PENDING' }, { 'activeKey.requestId': requestId, 'lastRequest.status': 'PENDING' }),
          agent(agentId, { ...revoked, keyStatus: 'REVOKED' }, { 'activeKey.requestId': requestId }),
          resetBrowsers(agentId),
        ];
      }
      case 'PromptFrequencyChanged': {
        const { agentId, browserId, frequency } = event.data;
        const id = agentBrowserId(orgId, agentId, browserId);
        if (frequency === 'EVERY_TASK') return [{ kind: 'delete', collection: 'agent_browsers', id }];
        const document: AgentBrowserDocument = { orgId, agentId, browserId, promptFrequency: frequency, changedAt: at };
        return [{ kind: 'upsert', collection: 'agent_browsers', id, document }];
      }
      case 'KeyRequestReminderSent':
      case 'OrganizationCreated':
      case 'FirstKeyAssigned':
      case 'OrgPolicyChanged':
      case 'KeyApprovalRecorded':
      case 'PublicKeyClaimed':
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
