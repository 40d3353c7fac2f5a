import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { finished, Readable } from 'node:stream';
import type { CommandContext } from '../../application/command-context';
import { AsOfQuery } from '../../application/queries/as-of-query';
import { ReadQueries } from '../../application/queries/read-queries';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ConcurrentExports } from '../../rate-limits/concurrent-exports';
import { RateLimits } from '../../rate-limits/rate-limits';
import { PendingApprovalsQuery } from '../../application/queries/pending-approvals';
import type { Role } from '../../domain/shared/roles';
import { AgentEndpoint, Answers, MinPositionHeader, OrgScoped, type ErrorAnswer } from '../api-docs.decorators';
import { Ctx } from '../command-context.decorator';
import {
  asOfQuery,
  type AsOfQueryParams,
  type AuditLogFilters,
  auditLogFilters,
  auditLogQuery,
  type AuditLogQuery,
  pendingKeysQuery,
  type PendingKeysQuery,
  zeroTrustStatusQuery,
  type ZeroTrustStatusQuery,
} from '../dto/read-queries.dto';
import { MinPosition } from '../min-position.decorator';
import { RateLimited } from '../rate-limited.decorator';
import { ReadAccess } from '../read-access';
import { ValidQuery } from '../valid-query.decorator';
import { AsOfView, AuditEntryView, AuditLogPageView, PendingKeysPageView, ZeroTrustStatusView } from '../views/read-models.view';

const APPROVERS: Role[] = ['ADMIN', 'SUPER_ADMIN'];
const READERS: Role[] = ['ADMIN', 'SUPER_ADMIN', 'AUDITOR'];

const BEHIND: ErrorAnswer = [503, 'The read model has not reached X-Min-Position in time, a store does not answer, or this server is stopping (SHUTTING_DOWN); retry shortly (Retry-After)', 'READ_MODEL_BEHIND'];
/** Of a read answered from the log as it stood when asked, whatever X-Min-Position says. */
const WHOLE_LOG_BEHIND: ErrorAnswer = [
  503,
  'The read model has not reached the log as it stood when asked (or X-Min-Position) in time, a store does not answer, or this server is stopping (SHUTTING_DOWN); retry shortly (Retry-After)',
  'READ_MODEL_BEHIND',
];
const EXPORT_EXAMPLE =
  '{"eventId":"9f1c…","position":1,"type":"OrganizationCreated","schemaVersion":1,"stream":"org-acme","revision":0,"actor":"operator","subject":null,"occurredAt":"2026-11-30T12:00:00.000Z","correlationId":"c1","causationId":"c1","data":{}}\n';

/** The read models (R13 audit, pending keys, zero-trust status), for approvers, auditors and reporting tools. */
@ApiTags('read models')
@OrgScoped()
@MinPositionHeader()
@Controller('v1/orgs/:orgId')
export class ReadModelsController {
  constructor(
    private readonly queries: ReadQueries,
    private readonly asOf: AsOfQuery,
    private readonly access: ReadAccess,
    private readonly pendingApprovals: PendingApprovalsQuery,
    private readonly exports: ConcurrentExports,
    private readonly limits: RateLimits,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('key-requests')
  @AgentEndpoint(
    'listPendingKeyRequests',
    'Pending key requests, oldest first, with what an approver needs to decide and when each expires (ADMIN, SUPER_ADMIN); one already decided or past its expiry is left out; every page holds `limit` requests but the last',
    Answers(200, PendingKeysPageView, 'One page'),
    BEHIND,
  )
  async pendingKeys(@Ctx() context: CommandContext, @ValidQuery(pendingKeysQuery) query: PendingKeysQuery, @MinPosition() minPosition?: string | string[]) {
    const org = await this.access.check(context.orgId, context.actor, APPROVERS, 'pending-keys', minPosition, this.config.minPositionWaitMs);
    return this.pendingApprovals.page(context.orgId, org, { limit: query.limit, cursor: query.cursor }, context.now);
  }

  @Get('zero-trust-status')
  @AgentEndpoint(
    'getZeroTrustStatus',
    'Per-agent key status and prompt frequencies, with org totals (ADMIN, SUPER_ADMIN, AUDITOR)',
    Answers(200, ZeroTrustStatusView, 'One page of agents, and the totals'),
    BEHIND,
  )
  async zeroTrustStatus(@Ctx() context: CommandContext, @ValidQuery(zeroTrustStatusQuery) query: ZeroTrustStatusQuery, @MinPosition() minPosition?: string | string[]) {
    await this.access.check(context.orgId, context.actor, READERS, 'org-status', minPosition, this.config.minPositionWaitMs);
    return this.queries.zeroTrustStatus(context.orgId, query, query.limit, query.cursor);
  }

  @Get('audit-log')
  @AgentEndpoint(
    'getAuditLog',
    'The audit log in log order, filtered, in cursor pages stable while events arrive; `after` resumes past the last position read. A page examines a bounded number of entries, so it may be short or empty while `nextCursor` is present (ADMIN, SUPER_ADMIN, AUDITOR)',
    Answers(200, AuditLogPageView, 'One page'),
    BEHIND,
  )
  async auditLog(@Ctx() context: CommandContext, @ValidQuery(auditLogQuery) query: AuditLogQuery, @MinPosition() minPosition?: string | string[]) {
    await this.access.check(context.orgId, context.actor, READERS, 'audit-log', minPosition, this.config.minPositionWaitMs);
    return this.queries.auditLog(context.orgId, query, query.limit, query.cursor);
  }

  @Get('as-of')
  // Reads in proportion to the org (every role change up to `at`), not to a page.
  @RateLimited('heavy_reads_per_agent')
  @AgentEndpoint(
    'getAsOf',
    'Who could perform sensitive tasks at an instant: agents with an ACTIVE key then, their role then, and browsers with a remembered window open then (ADMIN, SUPER_ADMIN, AUDITOR). Answered from a read model holding the log as it stood when asked, X-Min-Position or not: one behind it would answer wrong (a key revoked before the instant shown ACTIVE at it), so the read waits for it as for X-Min-Position, else 503',
    Answers(200, AsOfView, 'The agents, by agentId'),
    WHOLE_LOG_BEHIND,
  )
  // The answer comes as its JSON (AsOfView), made where the store read it: sent as it is.
  @Header('content-type', 'application/json; charset=utf-8')
  async whoCouldAct(@Ctx() context: CommandContext, @ValidQuery(asOfQuery) query: AsOfQueryParams, @MinPosition() minPosition?: string | string[]): Promise<Buffer> {
    await this.access.check(context.orgId, context.actor, READERS, 'as-of', minPosition, this.config.minPositionWaitMs, true);
    // The org's budget, spent once the query is found valid: an `at` later than now (400) spends none of it.
    return this.asOf.whoCouldAct(context.orgId, new Date(query.at), context.now, this.limits.orgBudget('heavy_reads_per_org', context.orgId));
  }

  @Get('audit-log/export')
  @RateLimited('heavy_reads_per_agent')
  @AgentEndpoint(
    'exportAuditLog',
    'The whole audit log as it stood when asked (same filters; with `after`, only what came after that position, to append to an earlier export) as NDJSON, streamed (ADMIN, SUPER_ADMIN, AUDITOR). An audit-log read model behind the log (MongoDB) is waited for as for X-Min-Position, else 503: an export never holds a part of the log',
    ApiResponse({
      status: 200,
      description: `One ${AuditEntryView.name} (JSON) per line, in log order; a download (Content-Disposition: attachment)`,
      content: { 'application/x-ndjson': { schema: { type: 'string' }, example: EXPORT_EXAMPLE } },
    }),
    WHOLE_LOG_BEHIND,
  )
  async auditExport(
    @Ctx() context: CommandContext,
    @ValidQuery(auditLogFilters) filters: AuditLogFilters,
    @Res() reply: FastifyReply,
    @MinPosition() minPosition?: string | string[],
  ): Promise<void> {
    // The whole log as it stood when asked, as the export promises: a model behind it answers 503, never a part of it.
    await this.access.check(context.orgId, context.actor, READERS, 'audit-log', minPosition, this.config.minPositionWaitMs, true);
    const chunks = this.queries.auditExport(context.orgId, filters);
    // The places first: a reader refused for its own exports under way (or its org's) spends none of the org's budget.
    const release = await this.exports.take({ orgId: context.orgId, agentId: context.actor });
    try {
      // The org's budget, spent by a reader it admitted only: a MEMBER's 403 spends none of it.
      await this.limits.consume('heavy_reads_per_org', context.orgId);
    } catch (error) {
      release();
      throw error;
    }
    // Held until the answer has ended: read to its end, or its connection gone (CONNECTION_TIMEOUT_MS).
    // finished() calls back also for a client gone before this line, whose 'close' has been emitted.
    finished(reply.raw, () => release());
    await reply
      .header('content-type', 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="audit-log-${context.orgId}.ndjson"`)
      // A byte stream: one chunk (over its 16 KiB high-water mark) is read ahead at most, the
      // next when the socket has taken it (object mode would read 16 chunks ahead).
      .send(Readable.from(chunks, { objectMode: false }));
  }
}
