import { z } from 'zod';
import { KEY_STATUSES } from '../../../projections/org-status.projection';
import { ROLES } from '../../domain/shared/roles';
import { EVENT_CATALOGUE } from '../../domain/events/event-catalogue';
import { ID_PATTERN } from '../../domain/streams';
import { queryShape } from './query-shape';
import { isRealTime, RFC3339, RFC3339_INSTANT } from './rfc3339';

/*
 * The query strings of the reads. Each message follows the field's name in the answer
 * (`limit must not be greater than 100`: see ZodQueryPipe).
 */

const INTEGER = 'must be an integer number';

/**
 * An integer of the query string, written in canonical decimal digits only (`digits`): Number()
 * would also take `0x10`, `1e2`, `+1`, ` 1`, `1.0`, `01` and `-0` and read an empty value as 0, so
 * that one number had many spellings (a tree size among them, which a client may key a cache by).
 * `message`, when given, says every problem of the field at once.
 */
const decimalInteger = (minimum: number, maximum: number, { digits = /^(0|-?[1-9]\d*)$/, message }: { digits?: RegExp; message?: string } = {}) =>
  z
    .string({ error: message ?? INTEGER })
    .regex(digits, { error: message ?? INTEGER })
    .transform(Number)
    .pipe(
      z
        .number({ error: message ?? INTEGER })
        // A bound missed is said alone (`limit=99999999999999999999` is too large, not also "not an integer").
        .min(minimum, { error: message ?? `must not be less than ${minimum}`, abort: true })
        .max(maximum, { error: message ?? `must not be greater than ${maximum}`, abort: true })
        // Digits within the bounds always pass: this makes the documented type an integer.
        .int({ error: message ?? INTEGER }),
    );

const oneOf = <const T extends readonly [string, ...string[]]>(values: T, message = `must be one of the following values: ${values.join(', ')}`) => z.enum(values, { error: message });

const id = (message: string) => z.string({ error: message }).regex(ID_PATTERN, { error: message });

const page = {
  limit: decimalInteger(1, 100).default(50),
  cursor: z.string().max(400, { error: 'must be shorter than or equal to 400 characters' }).optional().describe('nextCursor of the previous page'),
};

export const pendingKeysQuery = queryShape({
  ...page,
  status: oneOf(['PENDING']).default('PENDING').describe('Only PENDING requests are listed here; any request is readable by id'),
});
export type PendingKeysQuery = z.output<typeof pendingKeysQuery>;

export const zeroTrustStatusQuery = queryShape({
  ...page,
  role: oneOf(ROLES).optional(),
  keyStatus: oneOf(KEY_STATUSES).optional(),
});
export type ZeroTrustStatusQuery = z.output<typeof zeroTrustStatusQuery>;

/** The types a log of this version may hold: a filter naming another (misspelt, say) would read as "nothing happened". */
const EVENT_TYPES = Object.keys(EVENT_CATALOGUE).sort() as [string, ...string[]];

/** RFC 3339 text, and a real time (no 2020-02-30): the time filters and `at` read it with Date. */
const realTime = (form: RegExp, message: string) =>
  z
    .string({ error: message })
    .regex(form, { error: message, abort: true })
    .refine(isRealTime, { error: 'must be a valid ISO 8601 date string' });

const timeFilter = (description: string) =>
  realTime(RFC3339, 'must be an RFC 3339 date (2020-01-31) or date-time with offset (2020-01-31T10:00:00Z)')
    .optional()
    .describe(`${description}: RFC 3339, 2020-01-31 or 2020-01-31T10:00:00Z (fraction and ±hh:mm offset allowed)`);

/** A log position as audit entries give it: decimal digits, no sign, no leading zero, a safe integer (entries never hold a larger one). */
const position = decimalInteger(0, Number.MAX_SAFE_INTEGER, {
  digits: /^(0|[1-9]\d*)$/,
  message: 'must be a log position as audit entries give it: a non-negative integer in decimal digits without leading zeros, at most 9007199254740991',
});

const auditLogFilterFields = {
  after: position.optional().meta({
    description:
      "Only entries whose `position` is greater: give the `position` of the last entry you read (an item of a page, or a line of the export) to read on from there, at any later time. Combines with the other filters and, on pages, with `cursor`; a position past the log's end answers nothing (an empty page or export), not an error",
    example: 42,
  }),
  from: timeFilter('Time, inclusive'),
  to: timeFilter('Time, exclusive'),
  type: oneOf(EVENT_TYPES, 'must be an event type of the log, such as KeyApproved').optional().describe('Event type, e.g. KeyApproved'),
  actor: id('must be an agent id').optional().describe('agentId who caused the event, or "operator"'),
  subject: id('must be an agent id').optional().describe('agentId the event is about'),
};

export const auditLogFilters = queryShape(auditLogFilterFields);
export type AuditLogFilters = z.output<typeof auditLogFilters>;

export const auditLogQuery = queryShape({ ...auditLogFilterFields, ...page });
export type AuditLogQuery = z.output<typeof auditLogQuery>;

export const asOfQuery = queryShape({
  at: realTime(RFC3339_INSTANT, 'must be an RFC 3339 date-time with offset, e.g. 2026-05-01T12:00:00Z').describe(
    'The instant asked about: RFC 3339 date-time with offset, e.g. 2026-05-01T12:00:00Z; not later than now',
  ),
});
export type AsOfQueryParams = z.output<typeof asOfQuery>;

/** A tree size or leaf index of an org's Merkle tree, from the query string. */
const treeNumber = (minimum: 0 | 1, description: string) => decimalInteger(minimum, Number.MAX_SAFE_INTEGER).describe(description);

export const consistencyProofQuery = queryShape({
  from: treeNumber(0, 'The smaller tree size (0 or a size a checkpoint you kept signed)'),
  to: treeNumber(0, "The larger tree size, at most the latest checkpoint's"),
});
export type ConsistencyProofQuery = z.output<typeof consistencyProofQuery>;

/** The event is named by its index, or by its id (an audit record's `eventId`); exactly one of them. */
export const inclusionProofQuery = queryShape({
  index: treeNumber(0, "Index of the event in the org's tree (its events in log order, checkpoints not counted); give it or eventId").optional(),
  eventId: id("must be an event id, such as an audit record's eventId")
    .optional()
    .meta({ description: "Id of the event (an audit record's eventId); give it or index", example: '0193c3a0-0000-7000-8000-000000000001' }),
  size: treeNumber(1, "The tree size, at most the latest checkpoint's; required with index, the latest checkpoint's by default with eventId").optional(),
});
export type InclusionProofQuery = z.output<typeof inclusionProofQuery>;
