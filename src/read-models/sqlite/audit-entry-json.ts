import { EVENT_CATALOGUE } from '../../domain/events/event-catalogue';
import { auditEntry, type AuditEntryDocument } from '../../transparency/audit-entry';

/**
 * Each field of an audit entry as the JSON text JSON.stringify writes for it, from the events
 * table's row of an event decode gives back as stored: the row's strings quoted by SQLite, its
 * integers as they are, the metadata's values as their own JSON text (the adapter's append wrote
 * it with JSON.stringify, which is what stringifying the parsed value gives back), the data as
 * stored. A field missing from the metadata gives NULL, and so the whole line (the caller decodes
 * that row instead: JSON.stringify would leave the field out).
 */
const FIELD_JSON: { readonly [F in keyof AuditEntryDocument]: string } = {
  eventId: 'json_quote(id)',
  position: 'position',
  orgId: "(metadata -> '$.orgId')",
  type: 'json_quote(type)',
  schemaVersion: 'schema_version',
  stream: 'json_quote(stream)',
  revision: 'revision',
  actor: "(metadata -> '$.actor')",
  // auditEntry's subject: data.agentId when the data has one, else null.
  subject: "coalesce(data -> '$.agentId', 'null')",
  occurredAt: "(metadata -> '$.occurredAt')",
  correlationId: "(metadata -> '$.correlationId')",
  causationId: "(metadata -> '$.causationId')",
  data: 'data',
};

/** The entry's fields in the order auditEntry writes them, so the line's keys come in JSON.stringify's order. */
const FIELDS = Object.keys(
  auditEntry(
    {
      id: '',
      stream: '',
      revision: 0n,
      position: 0n,
      type: '',
      schemaVersion: 0,
      data: undefined,
      metadata: { actor: '', orgId: '', occurredAt: new Date(0).toISOString(), correlationId: '', causationId: '' },
    },
    null,
  ),
) as Array<keyof AuditEntryDocument>;

const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/**
 * The rows SQLite writes: those decode gives back as stored (decodesAsStored's known type at its
 * current schema version, the catalogue's pairs; data that is an object), whose occurredAt
 * eventTime gives as it is (what SQLite's own date functions write back unchanged is a day that
 * exists in toISOString's form), and whose positions fit a document (else safeNumber refuses
 * them on the decoded path).
 */
const WRITTEN = [
  `(type, schema_version) IN (VALUES ${Object.entries(EVENT_CATALOGUE)
    .map(([type, version]) => `(${literal(type)}, ${version})`)
    .join(', ')})`,
  "json_type(data) = 'object'",
  "strftime('%Y-%m-%dT%H:%M:%fZ', metadata ->> '$.occurredAt') = metadata ->> '$.occurredAt'",
  `position <= ${Number.MAX_SAFE_INTEGER} AND revision <= ${Number.MAX_SAFE_INTEGER}`,
].join(' AND ');

/**
 * SQL of an events row's audit entry as a line of NDJSON, byte for byte JSON.stringify of the
 * entry auditEntry gives for the decoded event without the `omit` fields, and a newline; NULL for
 * a row it does not write (WRITTEN, a metadata field missing). SQLite writes a page's lines, so
 * JavaScript reads one Buffer a page, not a row's columns, a parse of the metadata, an object and
 * its stringify a line (event-log-audit-trail.ts).
 */
export function auditLineSql(omit: readonly string[]): string {
  const parts = FIELDS.filter((field) => !omit.includes(field)).map((field, i) => `${literal(`${i === 0 ? '{' : ','}${JSON.stringify(field)}:`)} || ${FIELD_JSON[field]}`);
  return `CASE WHEN ${WRITTEN} THEN ${parts.length === 0 ? "'{}'" : `${parts.join(' || ')} || '}'`} || char(10) END`;
}
