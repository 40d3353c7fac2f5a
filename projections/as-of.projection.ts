import { unhandledEvent, type LogEvent } from '../src/domain/events/event-catalogue';
import type { RecordedEvent } from '../src/event-store/event-store.port';
import { REMEMBER_WINDOW_MS } from '../src/domain/browser/browser.events';
import type { Role } from '../src/domain/shared/roles';
import type { ApprovalMode } from '../src/domain/signature-key/key.events';
import { documentId, type Conditions, type DocumentChange } from './document-change';
import { eventTime, safeNumber, type Projection } from './projection';

/**
 * Issue 15 item 4, "who could perform sensitive tasks at instant T": what held when, as documents
 * that are written once (and a key's end patched by id, a window's replacement by its browser),
 * so that answering for any instant reads a bounded range.
 */

/** `until` of a key that is still ACTIVE: sorts after every real time, so "until > T" selects it. */
export const STILL_ACTIVE = '9999-12-31T23:59:59.999Z';

/** The longest remembered window (R10): a window that started earlier than this before T has ended by T. */
export const LONGEST_WINDOW_MS = Math.max(...Object.values(REMEMBER_WINDOW_MS));

/** One key's ACTIVE life: from its approval until its revocation (STILL_ACTIVE while it lasts). */
export type KeyIntervalDocument = {
  orgId: string;
  agentId: string;
  requestId: string;
  fingerprint: string;
  mode: ApprovalMode;
  from: string;
  until: string;
};

/** An agent's role from `at` on; null once removed from the org. */
export type RoleChangeDocument = {
  orgId: string;
  agentId: string;
  role: Role | null;
  at: string;
  position: number;
};

/** `replacedAt` of a browser's latest window: sorts after every real time, so "replacedAt > T" selects it. */
export const NOT_REPLACED = STILL_ACTIVE;

/**
 * The remembered window a signature in a browser opened (R11), or its end: the browser's next
 * document replaces it from its own `from` on (`replacedAt`, NOT_REPLACED until then), so that
 * an instant reads one document per browser however many tasks were signed in it. A logout, or
 * a signature at EVERY_TASK, has until = from. The window holds only while `keyFingerprint` is
 * the agent's ACTIVE key (R10: a key change resets it).
 */
export type BrowserWindowDocument = {
  orgId: string;
  agentId: string;
  browserId: string;
  from: string;
  until: string;
  replacedAt: string;
  keyFingerprint: string | null;
  position: number;
};

export const keyIntervalId = (orgId: string, requestId: string): string => documentId(orgId, requestId);

const isoAfter = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

export const asOfProjection: Projection = {
  name: 'as-of',
  version: 1,
  collections: ['key_intervals', 'role_changes', 'browser_windows'],
  types: new Set(['AgentAdded', 'AgentRoleChanged', 'AgentRemoved', 'KeyApproved', 'KeyRevoked', 'PromptFrequencyChanged', 'SensitiveTaskAuthorized']),

  project(event: RecordedEvent<LogEvent>): DocumentChange[] {
    const { orgId } = event.metadata;
    const at = eventTime(event);
    const position = safeNumber(event.position);
    const role = (agentId: string, value: Role | null): DocumentChange => {
      const document: RoleChangeDocument = { orgId, agentId, role: value, at, position };
      return { kind: 'insert', collection: 'role_changes', id: event.id, document };
    };
    const window = (agentId: string, browserId: string, from: string, until: string, keyFingerprint: string | null): DocumentChange[] => {
      const document: BrowserWindowDocument = { orgId, agentId, browserId, from, until, replacedAt: NOT_REPLACED, keyFingerprint, position };
      // The replacement first: its version is older than the new window's, which it never touches (a replay neither).
      const replaced: Conditions = { orgId, agentId, browserId, replacedAt: NOT_REPLACED };
      return [
        { kind: 'patchWhere', collection: 'browser_windows', where: replaced, set: { replacedAt: from } },
        { kind: 'insert', collection: 'browser_windows', id: event.id, document },
      ];
    };

    switch (event.type) {
      case 'AgentAdded':
        return [role(event.data.agentId, event.data.role)];
      case 'AgentRoleChanged':
        return [role(event.data.agentId, event.data.to)];
      case 'AgentRemoved':
        return [role(event.data.agentId, null)];
      case 'KeyApproved': {
        const { agentId, requestId, fingerprint, mode } = event.data;
        const document: KeyIntervalDocument = { orgId, agentId, requestId, fingerprint, mode, from: at, until: STILL_ACTIVE };
        return [{ kind: 'upsert', collection: 'key_intervals', id: keyIntervalId(orgId, requestId), document }];
      }
      case 'KeyRevoked':
        return [{ kind: 'patch', collection: 'key_intervals', id: keyIntervalId(orgId, event.data.requestId), set: { until: at } }];
      case 'PromptFrequencyChanged': {
        const { agentId, browserId } = event.data;
        // A LOGOUT records no signature: it ends the window.
        if (event.data.reason === 'LOGOUT') return window(agentId, browserId, at, at, null);
        const { frequency, keyFingerprint, signedAt } = event.data;
        return window(agentId, browserId, signedAt, isoAfter(signedAt, REMEMBER_WINDOW_MS[frequency]), keyFingerprint);
      }
      case 'SensitiveTaskAuthorized': {
        // A REMEMBERED authorization is no new signature: the window does not move. A signature at
        // EVERY_TASK (the default, most signed tasks) opens none, and needs no document to end the
        // one before: a logout or a change to EVERY_TASK has ended it already, or its key is no
        // longer ACTIVE and never is again (R10; a public key is claimed once).
        if (event.data.method === 'REMEMBERED') return [];
        const { agentId, browserId, signedAt, validUntil, keyFingerprint } = event.data;
        return validUntil > signedAt ? window(agentId, browserId, signedAt, validUntil, keyFingerprint) : [];
      }
      case 'OrganizationCreated':
      case 'OrgPolicyChanged':
      case 'FirstKeyAssigned':
      case 'KeyRequested':
      case 'KeyRejected':
      case 'KeyApprovalAttemptFailed':
      case 'KeyApprovalRecorded':
      case 'KeyRequestLocked':
      case 'KeyRequestCancelled':
      case 'KeyRequestExpired':
      case 'KeyRequestReminderSent':
      case 'PublicKeyClaimed':
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
