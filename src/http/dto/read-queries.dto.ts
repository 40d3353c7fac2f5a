import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { KEY_STATUSES } from '../../../projections/org-status.projection';
import { ROLES } from '../../domain/shared/roles';
import { EVENT_CATALOGUE } from '../../domain/events/event-catalogue';
import { ID_PATTERN } from '../../domain/streams';

/**
 * An integer of the query string, written in decimal digits only: Number() would also take
 * `0x10`, `1e2`, `+1`, ` 1`, `1.0` and read an empty value as 0. Anything else stays a string,
 * which IsInt refuses, naming the field.
 */
const DecimalInteger = (digits = /^-?\d+$/) => Transform(({ value }: { value: unknown }) => (typeof value === 'string' && digits.test(value) ? Number(value) : value));

class PageQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @DecimalInteger()
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(400)
  cursor?: string;
}

export class PendingKeysQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['PENDING'], default: 'PENDING', description: 'Only PENDING requests are listed here; any request is readable by id' })
  @IsOptional()
  @IsIn(['PENDING'])
  status?: 'PENDING';
}

export class ZeroTrustStatusQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ROLES }) @IsOptional() @IsIn(ROLES) role?: string;
  @ApiPropertyOptional({ enum: KEY_STATUSES }) @IsOptional() @IsIn(KEY_STATUSES) keyStatus?: string;
}

/** The types a log of this version may hold: a filter naming another (misspelt, say) would read as "nothing happened". */
const EVENT_TYPES = Object.keys(EVENT_CATALOGUE).sort();

/** RFC 3339: a full-date, or a date-time with seconds and an offset (Z or ±hh:mm); no week or ordinal dates, no comma fractions. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2}))?$/;

/** A time filter: the RFC 3339 forms above, and a real calendar date (no 2020-02-30). */
const TimeField = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ description: `${description}: RFC 3339, 2020-01-31 or 2020-01-31T10:00:00Z (fraction and ±hh:mm offset allowed)`, pattern: RFC3339.source }),
    IsOptional(),
    Matches(RFC3339, { message: '$property must be an RFC 3339 date (2020-01-31) or date-time with offset (2020-01-31T10:00:00Z)' }),
    IsISO8601({ strict: true }),
  );

/** A log position as audit entries give it: decimal digits, no sign, no leading zero, a safe integer (entries never hold a larger one). */
const POSITION = /^(0|[1-9]\d*)$/;
const POSITION_MESSAGE = '$property must be a log position as audit entries give it: a non-negative integer in decimal digits without leading zeros, at most 9007199254740991';

export class AuditLogFilters {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    description:
      "Only entries whose `position` is greater: give the `position` of the last entry you read (an item of a page, or a line of the export) to read on from there, at any later time. Combines with the other filters and, on pages, with `cursor`; a position past the log's end answers nothing (an empty page or export), not an error",
    example: 42,
  })
  @IsOptional()
  @DecimalInteger(POSITION)
  @IsInt({ message: POSITION_MESSAGE })
  @Min(0, { message: POSITION_MESSAGE })
  @Max(Number.MAX_SAFE_INTEGER, { message: POSITION_MESSAGE })
  after?: number;
  @TimeField('Time, inclusive') from?: string;
  @TimeField('Time, exclusive') to?: string;
  @ApiPropertyOptional({ description: 'Event type, e.g. KeyApproved', enum: EVENT_TYPES })
  @IsOptional()
  @IsIn(EVENT_TYPES, { message: 'type must be an event type of the log, such as KeyApproved' })
  type?: string;
  @ApiPropertyOptional({ description: 'agentId who caused the event, or "operator"' })
  @IsOptional()
  @Matches(ID_PATTERN, { message: 'actor must be an agent id' })
  actor?: string;
  @ApiPropertyOptional({ description: 'agentId the event is about' })
  @IsOptional()
  @Matches(ID_PATTERN, { message: 'subject must be an agent id' })
  subject?: string;
}

/** RFC 3339 date-time with seconds and an offset: an instant, not a day. */
const RFC3339_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export class AsOfQueryParams {
  @ApiProperty({ description: 'The instant asked about: RFC 3339 date-time with offset, e.g. 2026-05-01T12:00:00Z; not later than now', pattern: RFC3339_INSTANT.source })
  @Matches(RFC3339_INSTANT, { message: 'at must be an RFC 3339 date-time with offset, e.g. 2026-05-01T12:00:00Z' })
  @IsISO8601({ strict: true })
  at: string;
}

export class AuditLogQuery extends IntersectionType(AuditLogFilters, PageQuery) {}

/** A tree size or leaf index of an org's Merkle tree, from the query string. */
const TreeNumber = (description: string, minimum: 0 | 1, required = true) =>
  applyDecorators(
    (required ? ApiProperty : ApiPropertyOptional)({ type: 'integer', minimum, maximum: Number.MAX_SAFE_INTEGER, description }),
    ...(required ? [] : [IsOptional()]),
    DecimalInteger(),
    IsInt(),
    Min(minimum),
    Max(Number.MAX_SAFE_INTEGER),
  );

export class ConsistencyProofQuery {
  @TreeNumber('The smaller tree size (0 or a size a checkpoint you kept signed)', 0) from: number;
  @TreeNumber('The larger tree size, at most the latest checkpoint\'s', 0) to: number;
}

/** The event is named by its index, or by its id (an audit record's `eventId`); exactly one of them. */
export class InclusionProofQuery {
  @TreeNumber("Index of the event in the org's tree (its events in log order, checkpoints not counted); give it or eventId", 0, false) index?: number;
  @ApiPropertyOptional({ description: 'Id of the event (an audit record\'s eventId); give it or index', example: '0193c3a0-0000-7000-8000-000000000001', pattern: ID_PATTERN.source })
  @IsOptional()
  @Matches(ID_PATTERN, { message: 'eventId must be an event id, such as an audit record\'s eventId' })
  eventId?: string;
  @TreeNumber("The tree size, at most the latest checkpoint's; required with index, the latest checkpoint's by default with eventId", 1, false) size?: number;
}
