import type { LogEvent } from '../domain/events/event-catalogue';
import type { RecordedEnvelope, RecordedEvent } from '../event-store/event-store.port';
import { eventTime } from '../event-store/event-time';
import type { JsonObject } from '../shared/json-value';
import { safeNumber } from '../shared/safe-number';

/** One event of the log as the audit trail shows it (R13): nothing in it is ever changed. */
export type AuditEntryDocument = {
  eventId: string;
  /** Global log position: the order of the trail and its cursor. */
  position: number;
  orgId: string;
  type: string;
  schemaVersion: number;
  stream: string;
  revision: number;
  actor: string;
  /** The agent the event is about (data.agentId), null for org-wide events. */
  subject: string | null;
  occurredAt: string;
  correlationId: string;
  causationId: string;
  data: JsonObject;
};

/**
 * The trail's record of one event: what the audit log serves and exports, and what the org's
 * Merkle tree hashes. Given its subject, an event whose data is left unread (undefined) gives the
 * entry without it: the embedded trail takes the entry's fields and their order from that
 * (read-models/sqlite/audit-entry-json.ts).
 */
export function auditEntry(event: RecordedEvent<LogEvent>): AuditEntryDocument;
export function auditEntry(event: RecordedEnvelope & { type: string; data: undefined }, subject: string | null): Omit<AuditEntryDocument, 'data'> & { data: undefined };
export function auditEntry(
  event: RecordedEnvelope & { type: string; data: LogEvent['data'] | undefined },
  subject = event.data !== undefined && 'agentId' in event.data ? event.data.agentId : null,
): AuditEntryDocument | (Omit<AuditEntryDocument, 'data'> & { data: undefined }) {
  const { actor, orgId, correlationId, causationId } = event.metadata;
  return {
    eventId: event.id,
    position: safeNumber(event.position),
    orgId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    stream: event.stream,
    revision: safeNumber(event.revision),
    actor,
    subject,
    occurredAt: eventTime(event),
    correlationId,
    causationId,
    data: event.data as JsonObject | undefined,
  };
}
