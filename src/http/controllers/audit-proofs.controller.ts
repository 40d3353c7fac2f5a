import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../application/command-context';
import { AuditProofs } from '../../application/queries/audit-proofs';
import { WitnessCosignatures } from '../../application/queries/witness-cosignatures';
import { InvalidQuery } from '../../application/queries/invalid-query';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { Role } from '../../domain/shared/roles';
import { limitKey } from '../../rate-limits/limit-key';
import { RateLimits } from '../../rate-limits/rate-limits';
import { AgentEndpoint, Answers, MinPositionHeader, OrgScoped, type ErrorAnswer } from '../api-docs.decorators';
import { Ctx } from '../command-context.decorator';
import { consistencyProofQuery, type ConsistencyProofQuery, inclusionProofQuery, type InclusionProofQuery } from '../dto/read-queries.dto';
import { MinPosition } from '../min-position.decorator';
import { ReadAccess } from '../read-access';
import { ValidQuery } from '../valid-query.decorator';
import { ConsistencyProofView, InclusionProofView } from '../views/audit-proofs.view';

const READERS: Role[] = ['ADMIN', 'SUPER_ADMIN', 'AUDITOR'];

const NO_CHECKPOINT: ErrorAnswer = [404, 'The organization has no signed checkpoint yet (or is not yours)', 'CHECKPOINT_NOT_FOUND'];
const BAD_SIZE: ErrorAnswer = [400, 'Invalid input, or a size beyond the latest checkpoint, or from > to, or index >= size', 'INVALID_TREE_SIZE'];
const BEHIND: ErrorAnswer = [
  503,
  'The audit-log read model has not reached X-Min-Position in time, the Merkle node store has not reached the latest checkpoint or its nodes do not prove against it (STORE_UNAVAILABLE), a store does not answer, or this server is stopping (SHUTTING_DOWN); retry shortly (Retry-After)',
  'READ_MODEL_BEHIND',
];
const NOTE_EXAMPLE = 'ztkeys.local/audit-log/acme\n8\nR2l2ZSBtZSBhIHJvb3QgaGFzaCBvZiAzMiBieXRlcyE=\ntimestamp 2026-11-30T12:00:02.000Z\n\n— ztkeys.local/audit-log Gq9nLxX0...\n';

/**
 * The org's signed checkpoints and proofs against them (R16): what a witness (the CLI) needs to
 * check that today's log extends the one it saw, and an auditor that one event is in it.
 */
@ApiTags('verifiable log')
@OrgScoped()
@MinPositionHeader()
@Controller('v1/orgs/:orgId/audit-log')
export class AuditProofsController {
  constructor(
    private readonly proofs: AuditProofs,
    private readonly witnesses: WitnessCosignatures,
    private readonly access: ReadAccess,
    private readonly limits: RateLimits,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('checkpoint')
  @Header('content-type', 'text/plain; charset=utf-8')
  @AgentEndpoint(
    'getAuditCheckpoint',
    "The org's latest signed checkpoint: a C2SP tlog-checkpoint in a C2SP signed-note by the log key (ADMIN, SUPER_ADMIN, AUDITOR)",
    ApiResponse({
      status: 200,
      description:
        "The note: origin {key name}/{orgId}, tree size, base64 root hash, timestamp line, a blank line, the signature line; verify it with GET /v1/log-key. Then one C2SP tlog-cosignature (cosignature/v1) line per shared witness of WITNESSES that cosigned it (README, Shared witness): a witness that did not answer is missing, never waited for longer than WITNESS_TIMEOUT_MS",
      content: { 'text/plain': { schema: { type: 'string' }, example: NOTE_EXAMPLE } },
    }),
    NO_CHECKPOINT,
    BEHIND,
  )
  async checkpoint(@Ctx() context: CommandContext, @MinPosition() minPosition?: string | string[]): Promise<string> {
    await this.access.check(context.orgId, context.actor, READERS, 'audit-log', minPosition, this.config.minPositionWaitMs);
    const { note, size } = await this.proofs.checkpoint(context.orgId);
    return note + (await this.witnesses.cosign(context.orgId, note, size, (from) => this.proofs.consistency(context.orgId, from, size)));
  }

  @Get('consistency')
  @AgentEndpoint(
    'getAuditConsistencyProof',
    "RFC 9162 consistency proof that the org's tree of `from` events is a prefix of its tree of `to` events, `to` at most the latest checkpoint's size (ADMIN, SUPER_ADMIN, AUDITOR)",
    Answers(200, ConsistencyProofView, 'The proof; check it against the roots of the two checkpoints'),
    BAD_SIZE,
    NO_CHECKPOINT,
    BEHIND,
  )
  async consistency(@Ctx() context: CommandContext, @ValidQuery(consistencyProofQuery) query: ConsistencyProofQuery, @MinPosition() minPosition?: string | string[]): Promise<ConsistencyProofView> {
    await this.access.check(context.orgId, context.actor, READERS, 'audit-log', minPosition, this.config.minPositionWaitMs);
    const proof = await this.proofs.consistency(context.orgId, query.from, query.to);
    return { from: query.from, to: query.to, proof: proof.map((hash) => hash.toString('base64')) };
  }

  @Get('inclusion')
  @AgentEndpoint(
    'getAuditInclusionProof',
    "RFC 9162 inclusion proof of one event of the org in its tree of `size` events, `size` at most the latest checkpoint's: the event named by its `index` (with `size`), or by its `eventId` (an audit record's; `size` by default the latest checkpoint's), and then answered with its index and the latest checkpoint (ADMIN, SUPER_ADMIN, AUDITOR). By `eventId` its index is counted (the org's events before it, a read that grows with the org), so it spends the heavy-read budgets as the export does, per agent and per org (RATE_LIMIT_HEAVY_READS_PER_AGENT and _PER_ORG; over one, a 429 RATE_LIMITED with `limit` heavy_reads_per_agent or heavy_reads_per_org); by `index` it spends neither",
    Answers(200, InclusionProofView, "The event's leaf hash and audit path; check them against the root of the checkpoint of that size"),
    [400, 'Invalid input; index and eventId both or neither given (INDEX_OR_EVENT_ID); a size beyond the latest checkpoint, or index >= size (INVALID_TREE_SIZE); the event is a checkpoint line (NOT_A_LEAF) or comes after the size asked (EVENT_AFTER_SIZE)', 'INVALID_TREE_SIZE'],
    [404, 'No such event in the org (EVENT_NOT_FOUND, also for another org\'s), or asked by index, no signed checkpoint yet (CHECKPOINT_NOT_FOUND)', 'EVENT_NOT_FOUND'],
    [409, 'Asked by eventId: the event is in the log but no checkpoint covers it yet; ask again after LOG_CHECKPOINT_DELAY_MS', 'EVENT_NOT_SIGNED_YET'],
    BEHIND,
  )
  async inclusion(@Ctx() context: CommandContext, @ValidQuery(inclusionProofQuery) query: InclusionProofQuery, @MinPosition() minPosition?: string | string[]): Promise<InclusionProofView> {
    if ((query.index === undefined) === (query.eventId === undefined)) throw new InvalidQuery('INDEX_OR_EVENT_ID', 'Name the event by exactly one of `index` (with `size`) and `eventId`.');
    if (query.index !== undefined && query.size === undefined) throw new InvalidQuery('INVALID_TREE_SIZE', '`size` is required with `index`.');
    // By event id, its index is counted: the org's events before it, a read that grows with the org (a heavy read, as the export).
    const caller = { orgId: context.orgId, agentId: context.actor };
    if (query.eventId !== undefined) await this.limits.consume('heavy_reads_per_agent', limitKey('heavy_reads_per_agent', caller));
    await this.access.check(context.orgId, context.actor, READERS, 'audit-log', minPosition, this.config.minPositionWaitMs);
    const base64 = (hash: Buffer) => hash.toString('base64');
    if (query.eventId !== undefined) {
      await this.limits.consume('heavy_reads_per_org', limitKey('heavy_reads_per_org', caller));
      const { index, size, leafHash, proof, checkpoint } = await this.proofs.inclusionOfEvent(context.orgId, query.eventId, query.size);
      return { index, size, leafHash: base64(leafHash), proof: proof.map(base64), eventId: query.eventId, checkpoint };
    }
    const { leafHash, proof } = await this.proofs.inclusion(context.orgId, query.index!, query.size!);
    return { index: query.index!, size: query.size!, leafHash: base64(leafHash), proof: proof.map(base64) };
  }
}
