import type { RecordedEvent } from '../event-store.port';
import { AUDIT_FIELDS } from './sqlite-event-log';

/**
 * The fields of a record the embedded audit trail and export read by SQL (AUDIT_FIELDS, and the
 * entry's correlation and causation ids), as SQL reads them. SQLite's json_extract takes the first
 * member of a name given twice, JSON.parse the last: an `orgId` written twice in a row's metadata
 * text hid the event from its org's audit trail while every reader of the parsed record saw it.
 */
const QUERIED = [
  ['metadata', 'orgId', AUDIT_FIELDS.orgId],
  ['metadata', 'actor', AUDIT_FIELDS.actor],
  ['metadata', 'occurredAt', AUDIT_FIELDS.occurredAt],
  ['metadata', 'correlationId', "json_extract(metadata, '$.correlationId')"],
  ['metadata', 'causationId', "json_extract(metadata, '$.causationId')"],
  ['data', 'agentId', AUDIT_FIELDS.subject],
] as const;

/** The columns to select after a record's own. */
export const QUERIED_COLUMNS = QUERIED.map(([, , sql]) => sql).join(', ');

/**
 * The record with each of those fields as SQL read it (`values`, in QUERIED_COLUMNS' order) where
 * SQL reads it otherwise: a reader of the record (the server's check) then sees what the audit
 * trail shows, a field SQL reads as another org's or another value, which the check names.
 */
export function withFieldsAsQueried(record: RecordedEvent, values: readonly unknown[]): RecordedEvent {
  let read = record;
  QUERIED.forEach(([part, name], i) => {
    const value = typeof values[i] === 'bigint' ? Number(values[i]) : (values[i] ?? undefined);
    const fields = read[part] as Record<string, unknown> | null;
    if (value === (fields?.[name] ?? undefined)) return;
    read = { ...read, [part]: { ...fields, [name]: value } };
  });
  return read;
}
