import canonicalize from 'canonicalize';
import { auditEntry, type AuditEntryDocument } from './audit-entry';
import type { LogEvent } from '../domain/events/event-catalogue';
import type { RecordedEvent } from '../event-store/event-store.port';

/**
 * The leaf of one event in its org's Merkle tree, computable from an export line with no ztkeys
 * code: the record as the NDJSON export carries it, without `position`, in RFC 8785 canonical
 * JSON, as UTF-8. `position` is left out because it is the deployment's global log position,
 * which an event store of another kind (or a restore) numbers differently; the event's place in
 * its org is its index in the tree. `orgId` is not in an export line (the origin of the
 * checkpoint names the org), so a stored audit document drops it too.
 */
export type LeafRecord = Omit<AuditEntryDocument, 'orgId' | 'position'>;

export function leafInput(record: LeafRecord | Omit<AuditEntryDocument, 'orgId'> | AuditEntryDocument): Buffer {
  const { orgId: _orgId, position: _position, ...leaf } = record as AuditEntryDocument;
  const text = canonicalize(leaf);
  if (text === undefined) throw new TypeError('an audit record cannot be canonicalized');
  return Buffer.from(text, 'utf8');
}

export const eventLeafInput = (event: RecordedEvent<LogEvent>): Buffer => leafInput(auditEntry(event));
