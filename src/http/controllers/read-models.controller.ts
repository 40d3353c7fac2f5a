import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import type { CommandContext } from '../../application/command-context';
import { ReadQueries } from '../../application/queries/read-queries';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { Role } from '../../domain/shared/roles';
import { AgentEndpoint } from '../api-docs.decorators';
import { Ctx } from '../command-context.decorator';
import { AuditLogFilters, AuditLogQuery, PendingKeysQuery, ZeroTrustStatusQuery } from '../dto/read-queries.dto';
import { ReadAccess } from '../read-access';

const APPROVERS: Role[] = ['ADMIN', 'SUPER_ADMIN'];
const READERS: Role[] = ['ADMIN', 'SUPER_ADMIN', 'AUDITOR'];
const DEFAULT_LIMIT = 50;

const MinPosition = () =>
  ApiHeader({ name: 'X-Min-Position', required: false, description: 'Wait (bounded) until the read model has applied this position from a command response; 503 + Retry-After if it has not' });

/** The read models (R13 audit, pending keys, zero-trust status), for approvers, auditors and reporting tools. */
@ApiTags('read models')
@Controller('v1/orgs/:orgId')
export class ReadModelsController {
  constructor(
    private readonly queries: ReadQueries,
    private readonly access: ReadAccess,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('key-requests')
  @AgentEndpoint([503, 'The read model has not reached X-Min-Position in time'])
  @MinPosition()
  @ApiOperation({ summary: 'Pending key requests, oldest first, with what an approver needs to decide (ADMIN, SUPER_ADMIN)' })
  async pendingKeys(@Ctx() context: CommandContext, @Query() query: PendingKeysQuery, @Headers('x-min-position') minPosition?: string) {
    await this.access.check(context.orgId, context.actor, APPROVERS, 'pending-keys', minPosition, this.config.minPositionWaitMs);
    return this.queries.pendingKeys(context.orgId, query.limit ?? DEFAULT_LIMIT, query.cursor);
  }

  @Get('zero-trust-status')
  @AgentEndpoint([503, 'The read model has not reached X-Min-Position in time'])
  @MinPosition()
  @ApiOperation({ summary: 'Per-agent key status and prompt frequencies, with org totals (ADMIN, SUPER_ADMIN, AUDITOR)' })
  async zeroTrustStatus(@Ctx() context: CommandContext, @Query() query: ZeroTrustStatusQuery, @Headers('x-min-position') minPosition?: string) {
    await this.access.check(context.orgId, context.actor, READERS, 'org-status', minPosition, this.config.minPositionWaitMs);
    return this.queries.zeroTrustStatus(context.orgId, query, query.limit ?? DEFAULT_LIMIT, query.cursor);
  }

  @Get('audit-log')
  @AgentEndpoint([503, 'The read model has not reached X-Min-Position in time'])
  @MinPosition()
  @ApiOperation({ summary: 'The audit log in log order, filtered, in cursor pages stable while events arrive (ADMIN, SUPER_ADMIN, AUDITOR)' })
  async auditLog(@Ctx() context: CommandContext, @Query() query: AuditLogQuery, @Headers('x-min-position') minPosition?: string) {
    await this.access.check(context.orgId, context.actor, READERS, 'audit-log', minPosition, this.config.minPositionWaitMs);
    return this.queries.auditLog(context.orgId, query, query.limit ?? DEFAULT_LIMIT, query.cursor);
  }

  @Get('audit-log/export')
  @AgentEndpoint([503, 'The read model has not reached X-Min-Position in time'])
  @MinPosition()
  @ApiProduces('application/x-ndjson')
  @ApiOperation({ summary: 'The whole audit log (same filters) as NDJSON, streamed (ADMIN, SUPER_ADMIN, AUDITOR)' })
  async auditExport(
    @Ctx() context: CommandContext,
    @Query() filters: AuditLogFilters,
    @Res() reply: FastifyReply,
    @Headers('x-min-position') minPosition?: string,
  ): Promise<void> {
    await this.access.check(context.orgId, context.actor, READERS, 'audit-log', minPosition, this.config.minPositionWaitMs);
    const lines = this.queries.auditExport(context.orgId, filters);
    await reply
      .header('content-type', 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="audit-log-${context.orgId}.ndjson"`)
      .send(Readable.from(lines));
  }
}
