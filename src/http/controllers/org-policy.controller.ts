import { Controller, Get, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../application/command-context';
import { Directory } from '../../application/directory';
import { ChangeOrgPolicyCommand } from '../../application/use-cases/change-org-policy';
import { AgentEndpoint, Answers, OrgScoped } from '../api-docs.decorators';
import { Ctx } from '../command-context.decorator';
import { changeOrgPolicySchema, type ChangeOrgPolicyBody } from '../dto/org-policy.dto';
import { OrgPolicyChangedView, OrgPolicyView } from '../views/organization.view';
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
  @AgentEndpoint('getOrgPolicy', "The organization's lifecycle policy, every field set (any member)", Answers(200, OrgPolicyView, 'The policy'))
  async get(@Ctx() context: CommandContext) {
    const { org } = await this.directory.actor(context.orgId, context.actor);
    return org.state.policy;
  }

  @Put()
  @AgentEndpoint(
    'setOrgPolicy',
    "Set the organization's whole lifecycle policy, signed by my ACTIVE key over an ORG_POLICY challenge binding every field (SUPER_ADMIN) (R20)",
    Answers(200, OrgPolicyChangedView, 'Set (or already the policy: nothing written)'),
    [403, 'Not a SUPER_ADMIN, or no ACTIVE key to sign with', 'NOT_SUPER_ADMIN'],
    [409, 'A concurrent change kept conflicting; retry', 'CONFLICT'],
    [422, 'The challenge does not bind this policy, the signature does not verify, or the reminder is not before the expiry', 'INVALID_POLICY'],
  )
  async set(@Ctx() context: CommandContext, @ValidBody(changeOrgPolicySchema, 'The whole new policy and the signature over its ORG_POLICY challenge') body: ChangeOrgPolicyBody) {
    const result = await this.commands.execute(new ChangeOrgPolicyCommand(context, body.policy, body.challengeId, body.signature));
    return { policy: result.policy, changed: result.changed, ...(result.position !== undefined && { position: String(result.position) }) };
  }
}
