import type { CheckpointEvent } from '../audit/checkpoint.events';
import type { BrowserEvent } from '../browser/browser.events';
import type { OrganizationEvent } from '../organization/organization.events';
import type { PublicKeyEvent } from '../public-key/public-key.events';
import type { RecoveryEvent } from '../recovery/recovery.events';
import type { DomainEvent } from '../shared/domain-event';
import type { KeyEvent } from '../signature-key/key.events';

/** Every event the log holds. */
export type LogEvent = OrganizationEvent | KeyEvent | PublicKeyEvent | BrowserEvent | RecoveryEvent | CheckpointEvent;
export type LogEventType = LogEvent['type'];

/**
 * The current schema version of each event type of a stream. The keys are the union's types,
 * exactly: a new event type does not compile until it has its version here.
 */
export type EventVersions<E extends DomainEvent> = { readonly [T in E['type']]: number };

export const ORGANIZATION_EVENTS: EventVersions<OrganizationEvent> = {
  OrganizationCreated: 1,
  AgentAdded: 1,
  AgentRoleChanged: 1,
  AgentRemoved: 1,
  FirstKeyAssigned: 1,
  OrgPolicyChanged: 1,
};

export const KEY_EVENTS: EventVersions<KeyEvent> = {
  KeyRequested: 1,
  KeyApproved: 1,
  KeyApprovalRecorded: 1,
  KeyRejected: 1,
  KeyApprovalAttemptFailed: 1,
  KeyRequestLocked: 1,
  KeyRequestCancelled: 1,
  KeyRevoked: 1,
  KeyRequestExpired: 1,
  KeyRequestReminderSent: 1,
};

export const PUBLIC_KEY_EVENTS: EventVersions<PublicKeyEvent> = {
  PublicKeyClaimed: 1,
};

export const BROWSER_EVENTS: EventVersions<BrowserEvent> = {
  PromptFrequencyChanged: 2,
  SensitiveTaskAuthorized: 2,
  SensitiveTaskRefused: 1,
};

export const RECOVERY_EVENTS: EventVersions<RecoveryEvent> = {
  RecoveryStarted: 1,
  RecoveryReminderSent: 1,
  RecoveryVetoed: 1,
  RecoveryCompleted: 1,
  RecoveryLapsed: 1,
};

export const CHECKPOINT_EVENTS: EventVersions<CheckpointEvent> = {
  CheckpointSigned: 1,
};

/** The event catalogue: every type the log may hold, with the schema version written today. */
export const EVENT_CATALOGUE: EventVersions<LogEvent> = {
  ...ORGANIZATION_EVENTS,
  ...KEY_EVENTS,
  ...PUBLIC_KEY_EVENTS,
  ...BROWSER_EVENTS,
  ...RECOVERY_EVENTS,
  ...CHECKPOINT_EVENTS,
};

/**
 * The older schema versions decode still reads, by type: each is read as it is (its newer versions
 * only added optional members), the record keeping the version it was written in, as its export
 * line and Merkle leaf carry it. A version whose data needs changing to read as the current one
 * would need an upcaster in decode, and a leaf taken from the record as stored. Their shapes are
 * OLDER_SHAPES (event-shapes.ts), which must name the same versions.
 */
export const OLDER_VERSIONS: Partial<Record<LogEventType, readonly number[]>> = {
  PromptFrequencyChanged: [1],
  SensitiveTaskAuthorized: [1],
};

/** Fails the build where a switch over events misses a type; throws should an impossible value get there anyway. */
export function unhandledEvent(event: never): never {
  throw new Error(`unhandled event type ${(event as { type?: unknown }).type}`);
}
