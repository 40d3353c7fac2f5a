import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { OrgPolicy } from '../../domain/organization/org-policy';
import { recoveryClaimBy } from '../../domain/recovery/recovery.decider';
import { RECOVERY_LAPSE_REASONS } from '../../domain/recovery/recovery.events';
import type { RecoveryEntry } from '../../domain/recovery/recovery.state';

/** A break-glass recovery (R20) as its stream records it. */
export class RecoveryView {
  @ApiProperty({ example: 'rc_01J9Z3' }) recoveryId: string;
  @ApiProperty({ description: 'The SUPER_ADMIN it restores', example: 'alice' }) agentId: string;
  @ApiProperty({ enum: ['RUNNING', 'VETOED', 'COMPLETED', 'LAPSED'], description: 'LAPSED: its agent was demoted or removed while it ran, or requested no key within its claim window after it took effect, so it ended without a grant' }) status: string;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty({ format: 'date-time', description: 'When it takes effect unless vetoed' }) effectiveAt: string;
  @ApiProperty({ format: 'date-time', description: 'When the approvers are reminded (halfway)' }) remindAt: string;
  @ApiPropertyOptional({
    format: 'date-time',
    description: "While RUNNING: until when, after effectiveAt, it waits for its agent's key request (the policy's pendingRequestExpiryHours as it stands now); it lapses UNCLAIMED then",
  })
  claimBy?: string;
  @ApiProperty({ description: "The delay applied: the policy's recoveryDelayHours, doubled with a working approver", example: 72 }) delayHours: number;
  @ApiProperty({ description: 'An ADMIN or SUPER_ADMIN held an ACTIVE key when it started (so the delay is doubled)' }) withWorkingApprover: boolean;
  @ApiProperty({ description: 'The approvers were reminded' }) reminded: boolean;
  @ApiPropertyOptional({ description: 'Who vetoed it, once VETOED' }) vetoedBy?: string;
  @ApiPropertyOptional({ description: 'The key request granted with mode RECOVERY, once COMPLETED' }) requestId?: string;
  @ApiPropertyOptional({
    enum: RECOVERY_LAPSE_REASONS,
    description: "Why it lapsed, once LAPSED: its agent was given another role, or removed from the org, or requested no key within the policy's pendingRequestExpiryHours after effectiveAt (UNCLAIMED)",
  }) lapseReason?: string;
}

export class RecoveryChangedView extends RecoveryView {
  @ApiProperty({ description: 'Log position (decimal)', example: '42' }) position: string;
}

export const recoveryView = (entry: RecoveryEntry, policy: Pick<OrgPolicy, 'pendingRequestExpiryHours'>): RecoveryView => ({
  ...entry,
  ...(entry.status === 'RUNNING' && { claimBy: recoveryClaimBy(entry.effectiveAt, policy.pendingRequestExpiryHours) }),
});
