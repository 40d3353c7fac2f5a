import { unhandledEvent, type LogEvent } from '../src/domain/events/event-catalogue';
import type { RecoveryLapseReason } from '../src/domain/recovery/recovery.events';
import type { RecoveryStatus } from '../src/domain/recovery/recovery.state';
import type { RecordedEvent } from '../src/event-store/event-store.port';
import { documentId, type DocumentChange } from './document-change';
import type { Projection } from './projection';

/** One break-glass recovery (R20): what the deadline scheduler needs to find the running ones, and how each ended. */
export type RecoveryDocument = {
  orgId: string;
  recoveryId: string;
  agentId: string;
  status: RecoveryStatus;
  remindAt: string;
  effectiveAt: string;
  /** Once LAPSED: whether its agent was demoted or removed, or never claimed it. */
  lapseReason?: RecoveryLapseReason;
};

export const recoveryDocumentId = (orgId: string, recoveryId: string): string => documentId(orgId, recoveryId);

export const recoveriesProjection: Projection = {
  name: 'recoveries',
  version: 1,
  collections: ['recoveries'],
  types: new Set(['RecoveryStarted', 'RecoveryVetoed', 'RecoveryCompleted', 'RecoveryLapsed']),

  project(event: RecordedEvent<LogEvent>): DocumentChange[] {
    const { orgId } = event.metadata;
    switch (event.type) {
      case 'RecoveryStarted': {
        const { recoveryId, agentId, remindAt, effectiveAt } = event.data;
        const document: RecoveryDocument = { orgId, recoveryId, agentId, status: 'RUNNING', remindAt, effectiveAt };
        return [{ kind: 'upsert', collection: 'recoveries', id: recoveryDocumentId(orgId, recoveryId), document }];
      }
      case 'RecoveryVetoed':
        return [{ kind: 'patch', collection: 'recoveries', id: recoveryDocumentId(orgId, event.data.recoveryId), set: { status: 'VETOED' } }];
      case 'RecoveryCompleted':
        return [{ kind: 'patch', collection: 'recoveries', id: recoveryDocumentId(orgId, event.data.recoveryId), set: { status: 'COMPLETED' } }];
      case 'RecoveryLapsed':
        return [{ kind: 'patch', collection: 'recoveries', id: recoveryDocumentId(orgId, event.data.recoveryId), set: { status: 'LAPSED', lapseReason: event.data.reason } }];
      case 'RecoveryReminderSent':
      case 'OrganizationCreated':
      case 'AgentAdded':
      case 'AgentRoleChanged':
      case 'AgentRemoved':
      case 'FirstKeyAssigned':
      case 'OrgPolicyChanged':
      case 'KeyRequested':
      case 'KeyApproved':
      case 'KeyApprovalRecorded':
      case 'KeyRejected':
      case 'KeyApprovalAttemptFailed':
      case 'KeyRequestLocked':
      case 'KeyRequestCancelled':
      case 'KeyRevoked':
      case 'KeyRequestExpired':
      case 'KeyRequestReminderSent':
      case 'PublicKeyClaimed':
      case 'PromptFrequencyChanged':
      case 'SensitiveTaskAuthorized':
      case 'SensitiveTaskRefused':
      case 'CheckpointSigned':
        return [];
      default:
        return unhandledEvent(event);
    }
  },
};
