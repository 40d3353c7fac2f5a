import { INSTANT_FORM, isInstant } from '../../domain/shared/instant';
import { jsonTextFault, numberSpelled } from '../../shared/json-text-fault';
import { holdsLoneSurrogate, SURROGATE_ESCAPE } from '../../shared/lone-surrogate';
import type { LeafRecord } from '../event-leaf';
import { LogViolation } from '../replay/log-violation';

/** A line that does not parse: on the file's last line, without its newline, a file cut short. */
export class NotJson extends LogViolation {}

/** An export line as the leaf rule reads it (position aside). */
export type ExportRecord = LeafRecord & { position?: number };

const FIELDS: Record<keyof LeafRecord, string> = {
  eventId: 'string',
  type: 'string',
  schemaVersion: 'number',
  stream: 'string',
  revision: 'number',
  actor: 'string',
  subject: 'string',
  occurredAt: 'string',
  correlationId: 'string',
  causationId: 'string',
  data: 'object',
};
const FIELD_TYPES = Object.entries(FIELDS);

/** Longer than any export record (16 times the largest request body the server takes, 64 KiB): a line is held whole while it is read. */
export const MAX_LINE_LENGTH = 1 << 20;

/** Nesting no export record comes near (its deepest data is a few levels down), far below what the recursive canonical form could take. */
const MAX_LINE_DEPTH = 64;

export function parseRecord(line: string): ExportRecord {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    throw new NotJson('the line is not JSON');
  }
  // JSON.parse keeps a repeated member's last value, and the digits of a number a double holds, which the leaf then covers; a reader keeping the first value, or every digit, would see another record.
  const fault = jsonTextFault(line, MAX_LINE_DEPTH, 'canonical');
  if (fault?.kind === 'tooDeep') throw new LogViolation(`the line nests deeper than ${MAX_LINE_DEPTH} arrays or objects: no export record does`);
  if (fault?.kind === 'duplicateName') throw new LogViolation(`the line names ${JSON.stringify(fault.name)} twice in one object: readers disagree on which value it holds`);
  if (fault?.kind === 'numberSpelling') throw new LogViolation(numberSpelled('the line', fault));
  if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new LogViolation('the line is not an event record');
  if (SURROGATE_ESCAPE.test(line) && holdsLoneSurrogate(record)) throw new LogViolation('the line holds a string with a lone surrogate (\\uD800-\\uDFFF unpaired): it is not Unicode text, which readers decode apart');
  for (const [field, type] of FIELD_TYPES) {
    const value = (record as Record<string, unknown>)[field];
    // subject is null for org-wide events
    if (typeof value !== type && !(field === 'subject' && value === null)) throw new LogViolation(`the record's ${field} is not a ${type}`);
  }
  const { data: given, occurredAt } = record as { data: object | null; occurredAt: string };
  if (!isInstant(occurredAt)) throw new LogViolation(`the record's occurredAt is not ${INSTANT_FORM}: ${JSON.stringify(occurredAt)}`);
  // typeof null and of an array is 'object' too; the subject rule below reads the data's members.
  if (given === null || Array.isArray(given)) throw new LogViolation("the record's data is not an object");
  // The leaf leaves out position and orgId: an orgId added, or any member of no export record, would be read beside a verified line without being verified.
  const extra = Object.keys(record).find((name) => name !== 'position' && !Object.hasOwn(FIELDS, name));
  if (extra !== undefined) throw new LogViolation(`the record has a member ${JSON.stringify(extra)}, which no export record has`);
  // subject is the trail's index of whom an event is about (GET .../audit-log?subject=), derived from the data as auditEntry does: one of its own would mislead that filter.
  const { subject, data } = record as LeafRecord;
  const about = Object.hasOwn(data, 'agentId') ? (data as { agentId: unknown }).agentId : null;
  if (subject !== about) throw new LogViolation(`the record's subject is ${JSON.stringify(subject)}, but its data is about ${JSON.stringify(about)}`);
  const { position } = record as { position?: unknown };
  if (position !== undefined && !(Number.isSafeInteger(position) && (position as number) >= 0)) throw new LogViolation("the record's position is not a log position");
  return record as ExportRecord;
}
