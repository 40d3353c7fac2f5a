import { CHECKPOINT_SHAPES, type CheckpointEvent } from '../audit/checkpoint.events';
import { BROWSER_OLDER_SHAPES, BROWSER_SHAPES, type BrowserEvent } from '../browser/browser.events';
import { ORGANIZATION_SHAPES, type OrganizationEvent } from '../organization/organization.events';
import { PUBLIC_KEY_SHAPES, type PublicKeyEvent } from '../public-key/public-key.events';
import { RECOVERY_SHAPES, type RecoveryEvent } from '../recovery/recovery.events';
import type { DomainEvent } from '../shared/domain-event';
import { KEY_SHAPES, type KeyEvent } from '../signature-key/key.events';
import type { z } from 'zod';
import type { DataShapes } from './data-shapes';

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
 * The shape of every event type's data at the version the catalogue writes, declared beside each
 * type (`*.events.ts`). decode checks it on a log it does not trust (an export being verified).
 */
export const EVENT_SHAPES: DataShapes<LogEvent> = {
  ...ORGANIZATION_SHAPES,
  ...KEY_SHAPES,
  ...PUBLIC_KEY_SHAPES,
  ...BROWSER_SHAPES,
  ...RECOVERY_SHAPES,
  ...CHECKPOINT_SHAPES,
};

/**
 * The older schema versions decode still reads, by type and version, each with the shape its data
 * had then. Each is read as it is (its newer versions only added optional members): the record
 * keeps the version it was written in, as its export line and Merkle leaf carry it. A version
 * whose data needs changing to read as the current one would need an upcaster in decode, and a
 * leaf taken from the record as stored.
 */
export const OLDER_SHAPES: Partial<Record<LogEventType, Readonly<Record<number, z.ZodType>>>> = {
  ...BROWSER_OLDER_SHAPES,
};

/** Fails the build where a switch over events misses a type; throws should an impossible value get there anyway. */
export function unhandledEvent(event: never): never {
  throw new Error(`unhandled event type ${(event as { type?: unknown }).type}`);
}
