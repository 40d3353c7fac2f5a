import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { KEY_STATUSES } from '../../../projections/org-status.projection';
import { ROLES } from '../../domain/shared/roles';
import { ID_PATTERN } from '../../domain/streams';

class PageQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @Type(() => Number)
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

const EVENT_TYPE = /^[A-Z][A-Za-z]{1,63}$/;

export class AuditLogFilters {
  @ApiPropertyOptional({ description: 'ISO-8601 time, inclusive' }) @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @ApiPropertyOptional({ description: 'ISO-8601 time, exclusive' }) @IsOptional() @IsISO8601({ strict: true }) to?: string;
  @ApiPropertyOptional({ description: 'Event type, e.g. KeyApproved' })
  @IsOptional()
  @Matches(EVENT_TYPE, { message: 'type must be an event type name such as KeyApproved' })
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

export class AuditLogQuery extends IntersectionType(AuditLogFilters, PageQuery) {}
