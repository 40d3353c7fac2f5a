import { Controller, Get, Put, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { CommandContext } from '../../application/command-context';
import { Directory } from '../../application/directory';
import { ChangeOrgPolicyCommand } from '../../application/use-cases/change-org-policy';
import { AgentEndpoint, Answers, OrgScoped, WritesOrgLog } from '../api-docs.decorators';
import { Ctx } from '../command-context.decorator';
import { changeOrgPolicySchema, type ChangeOrgPolicyBody } from '../dto/org-policy.dto';
import { IfMatchPolicyHeader, IfMatchPolicyVersion, POLICY_ETAG_HEADER, policyETag } from '../policy-version';
import { OrgPolicyChangedView, OrgPolicyView } from '../views/organization.view';
import { RateLimited } from '../rate-limited.decorator';
import { ValidBody } from '../valid-body.decorator';

/** R20: the org's lifecycle policy, read by its members and changed by a signed SUPER_ADMIN decision. */
@ApiTags('organizations')
@OrgScoped()
@Controller('v1/orgs/:orgId/policy')
export class OrgPolicyController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: Directory,
  ) {}

  @Get()
  @AgentEndpoint('getOrgPolicy', "The organization's lifecycle policy, every field set (any member)", Answers(200, OrgPolicyView, 'The policy', POLICY_ETAG_HEADER))
  async get(@Ctx() context: CommandContext, @Res({ passthrough: true }) reply: FastifyReply) {
    const { org } = await this.directory.actor(context.orgId, context.actor);
    void reply.header('etag', policyETag(org.state.policyVersion));
    return org.state.policy;
  }

  @Put()
  @RateLimited('policy_changes_per_agent')
  @WritesOrgLog()
  @AgentEndpoint(
    'setOrgPolicy',
    "Set the organization's whole lifecycle policy, signed by my ACTIVE key over an ORG_POLICY challenge binding every field (SUPER_ADMIN) (R20). A change that lowers memberKeyApprovals or adminKeyApprovals, or shortens recoveryDelayHours, mails every approver holding an ACTIVE key, so an agent makes at most RATE_LIMIT_POLICY_CHANGES_PER_AGENT calls (over it, a 429 RATE_LIMITED with `limit` policy_changes_per_agent, nothing written)",
    Answers(200, OrgPolicyChangedView, 'Set (or already the policy: nothing written)', POLICY_ETAG_HEADER),
    [400, 'Invalid input, or an If-Match that is not one policy ETag (INVALID_IF_MATCH)', 'INVALID_INPUT'],
    [403, 'Not a SUPER_ADMIN, or no ACTIVE key to sign with', 'NOT_SUPER_ADMIN'],
    [409, 'A concurrent change kept conflicting; retry', 'CONFLICT'],
    [412, 'If-Match names a policy version that is not the current one: another change came first (or the policy never had that version), nothing was written (policyVersion: the current one)', 'POLICY_CHANGED'],
    [422, 'The challenge does not bind this policy, the signature does not verify, or the reminder is not before the expiry', 'INVALID_POLICY'],
  )
  @IfMatchPolicyHeader()
  async set(
    @Ctx() context: CommandContext,
    @IfMatchPolicyVersion() basedOnVersion: number | undefined,
    @ValidBody(changeOrgPolicySchema, 'The whole new policy and the signature over its ORG_POLICY challenge') body: ChangeOrgPolicyBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.commands.execute(new ChangeOrgPolicyCommand(context, body.policy, body.challengeId, body.signature, basedOnVersion));
    void reply.header('etag', policyETag(result.policyVersion));
    return { policy: result.policy, changed: result.changed, ...(result.position !== undefined && { position: String(result.position) }) };
  }
}
