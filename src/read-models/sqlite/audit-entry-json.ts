import { EVENT_CATALOGUE } from '../../domain/events/event-catalogue';
import { AS_STORED_SQL } from '../../event-store/sqlite/sqlite-event-log';
import { auditEntry, type AuditEntryDocument } from '../../transparency/audit-entry';

/** SQL of a field's JSON text; `optional` when it is NULL for a field missing from the metadata. */
interface FieldJson {
  readonly sql: string;
  readonly optional?: true;
}

const column = (sql: string): FieldJson => ({ sql });
const fromMetadata = (key: string): FieldJson => ({ sql: `(metadata -> '$.${key}')`, optional: true });

/**
 * Each field of an audit entry as the JSON text JSON.stringify writes for it, from the events
 * table's row of an event decode gives back as stored: the row's strings quoted by SQLite, its
 * integers as they are, the metadata's values as their own JSON text (the adapter's append wrote
 * it with JSON.stringify, which is what stringifying the parsed value gives back), the data as
 * stored. A field missing from the metadata is undefined in the entry, which JSON.stringify leaves
 * out: so does the line (concat() leaves out a NULL, its key with it).
 */
const FIELD_JSON: { readonly [F in keyof AuditEntryDocument]: FieldJson } = {
  eventId: column('json_quote(id)'),
  position: column('position'),
  orgId: fromMetadata('orgId'),
  type: column('json_quote(type)'),
  schemaVersion: column('schema_version'),
  stream: column('json_quote(stream)'),
  revision: column('revision'),
  actor: fromMetadata('actor'),
  // auditEntry's subject: data.agentId when the data has one, else null.
  subject: column("coalesce(data -> '$.agentId', 'null')"),
  occurredAt: fromMetadata('occurredAt'),
  correlationId: fromMetadata('correlationId'),
  causationId: fromMetadata('causationId'),
  data: column('data'),
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
 * current schema version, the catalogue's pairs), that AS_STORED_SQL copies as stored (data that is
 * an object, an occurredAt eventTime gives as it is: the table's `as_stored` column, or the
 * expression itself on a table created before that column), and whose positions fit a document
 * (else safeNumber refuses them on the decoded path).
 */
const written = (asStoredColumn: boolean): string =>
  [
    `(type, schema_version) IN (VALUES ${Object.entries(EVENT_CATALOGUE)
      .map(([type, version]) => `(${literal(type)}, ${version})`)
      .join(', ')})`,
    asStoredColumn ? 'as_stored' : `(${AS_STORED_SQL})`,
    `position <= ${Number.MAX_SAFE_INTEGER} AND revision <= ${Number.MAX_SAFE_INTEGER}`,
  ].join(' AND ');

/**
 * SQL of an events row's audit entry as a line of NDJSON, byte for byte JSON.stringify of the
 * entry auditEntry gives for the decoded event without the `omit` fields, and a newline; NULL for
 * a row it does not write (`written`). SQLite writes a page's lines, so JavaScript reads one Buffer
 * a page, not a row's columns, a parse of the metadata, an object and its stringify a line
 * (event-log-audit-trail.ts). One concat() a line, not a `||` a piece (each a copy of the line so
 * far). A first field that may be missing cannot be left out with its comma: its absence makes the
 * line NULL instead.
 */
export function auditLineSql(omit: readonly string[], asStoredColumn: boolean): string {
  const fields = FIELDS.filter((field) => !omit.includes(field));
  if (fields.length === 0) return `CASE WHEN ${written(asStoredColumn)} THEN '{}' || char(10) END`;
  const parts = fields.map((field, i) => {
    const { sql, optional } = FIELD_JSON[field];
    const key = literal(`${i === 0 ? '{' : ','}${JSON.stringify(field)}:`);
    return optional ? `${key} || ${sql}` : `${key}, ${sql}`;
  });
  const first = FIELD_JSON[fields[0]];
  const present = first.optional ? ` AND ${first.sql} IS NOT NULL` : '';
  return `CASE WHEN ${written(asStoredColumn)}${present} THEN concat(${parts.join(', ')}, '}', char(10)) END`;
}
