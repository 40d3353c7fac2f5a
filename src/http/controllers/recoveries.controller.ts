import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../application/command-context';
import { Directory } from '../../application/directory';
import { Recoveries } from '../../application/recoveries';
import { StartRecoveryCommand } from '../../application/use-cases/start-recovery';
import { VetoRecoveryCommand } from '../../application/use-cases/veto-recovery';
import { AgentOrOperator, OperatorOnly } from '../../auth/access.decorators';
import { latestRecovery, type RecoveryEntry } from '../../domain/recovery/recovery.state';
import { refuse } from '../../domain/shared/refusal';
import type { Role } from '../../domain/shared/roles';
import { AgentEndpoint, AgentOrOperatorEndpoint, Answers, OperatorEndpoint, OrgScoped, RecoveryParam, WritesOrgLog } from '../api-docs.decorators';
import { Ctx } from '../command-context.decorator';
import { OperatorCall } from '../operator-call.decorator';
import { startRecoverySchema, vetoRecoverySchema, type StartRecoveryBody, type VetoRecoveryBody } from '../dto/recovery.dto';
import { RecoveryChangedView, recoveryView, RecoveryView } from '../views/recovery.view';
import { ValidBody } from '../valid-body.decorator';

/** Who reads an org's recovery besides the operator: the approvers it concerns, and auditors. */
const READERS: readonly Role[] = ['ADMIN', 'SUPER_ADMIN', 'AUDITOR'];

/** R20 break-glass recovery of a locked-out org: started by the operator, vetoed by any approver with an ACTIVE key. */
@ApiTags('organizations')
@OrgScoped()
@Controller('v1/orgs/:orgId')
export class RecoveriesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: Directory,
    private readonly recoveries: Recoveries,
  ) {}

  @Post('recoveries')
  @HttpCode(201)
  @OperatorOnly()
  @WritesOrgLog()
  @OperatorEndpoint(
    'startRecovery',
    "Start a break-glass recovery of one SUPER_ADMIN (operator bootstrap token): after the policy's recoveryDelayHours (doubled while an approver holds an ACTIVE key), unless vetoed, their PENDING key request is granted with mode RECOVERY (R20)",
    Answers(201, RecoveryChangedView, 'Started; every ADMIN and SUPER_ADMIN is emailed'),
    [404, 'The organization does not exist', 'ORG_NOT_FOUND'],
    [409, 'A recovery of this org is already running (one that lapsed, vetoed or completed does not count)', 'RECOVERY_IN_PROGRESS'],
    [422, 'The agent is not a SUPER_ADMIN of the org', 'NOT_SUPER_ADMIN'],
  )
  async start(@Ctx() context: CommandContext, @Param('orgId') orgId: string, @ValidBody(startRecoverySchema, 'The SUPER_ADMIN to restore') body: StartRecoveryBody) {
    const started = await this.commands.execute(new StartRecoveryCommand({ ...context, orgId }, body.agentId));
    return { ...(await this.viewOf(orgId, started.recovery)), position: String(started.position) };
  }

  @Get('recovery')
  @AgentOrOperator()
  @AgentOrOperatorEndpoint(
    'getRecovery',
    "The org's latest break-glass recovery, running or not (VETOED, COMPLETED, or LAPSED with its lapseReason), from its stream (ADMIN, SUPER_ADMIN, AUDITOR, or the operator's bootstrap token)",
    Answers(200, RecoveryView, 'The latest recovery'),
    [404, 'The organization does not exist, or never had a recovery', 'NO_RECOVERY'],
  )
  async get(@Ctx() context: CommandContext, @OperatorCall() operator: boolean, @Param('orgId') orgId: string) {
    if (!operator) {
      const { actor } = await this.directory.actor(orgId, context.actor);
      if (!READERS.includes(actor.role)) refuse('FORBIDDEN', 'NOT_ALLOWED', `This read is for ${READERS.join(', ')}; you are ${actor.role}.`);
    }
    const org = await this.directory.org(orgId);
    const latest = latestRecovery((await this.recoveries.load(orgId)).state);
    return latest ? recoveryView(latest, org.state.policy) : refuse('NOT_FOUND', 'NO_RECOVERY', 'This organization never had a break-glass recovery.');
  }

  @Post('recoveries/:recoveryId/veto')
  @HttpCode(200)
  @RecoveryParam()
  @WritesOrgLog()
  @AgentEndpoint(
    'vetoRecovery',
    'Veto a running recovery, signed by my ACTIVE key over a RECOVERY_VETO challenge (ADMIN, SUPER_ADMIN) (R20)',
    Answers(200, RecoveryChangedView, 'Vetoed: it will not take effect; every ADMIN and SUPER_ADMIN is emailed'),
    [403, 'Not an ADMIN or SUPER_ADMIN, or no ACTIVE key to sign with', 'NOT_AN_APPROVER'],
    [409, 'The recovery is no longer RUNNING (vetoed, completed or lapsed)', 'RECOVERY_NOT_RUNNING'],
    [422, 'The challenge is not for this recovery, or the signature does not verify', 'CHALLENGE_MISMATCH'],
  )
  async veto(@Ctx() context: CommandContext, @Param('recoveryId') recoveryId: string, @ValidBody(vetoRecoverySchema, 'The signature over a RECOVERY_VETO challenge for this recovery') body: VetoRecoveryBody) {
    const { position } = await this.commands.execute(new VetoRecoveryCommand(context, recoveryId, body.challengeId, body.signature));
    const recovery = (await this.recoveries.load(context.orgId)).state.recoveries.get(recoveryId)!;
    return { ...(await this.viewOf(context.orgId, recovery)), position: String(position) };
  }

  /** The recovery with its claim window under the org's policy now, which moves with it as a request's expiry does. */
  private async viewOf(orgId: string, recovery: RecoveryEntry): Promise<RecoveryView> {
    return recoveryView(recovery, (await this.directory.org(orgId)).state.policy);
  }
}
