import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import type { OrgPolicy } from '../../domain/organization/org-policy';
import { ORG_POLICY_FIELDS, POLICY_LIMITS } from '../../domain/organization/org-policy.schema';

const limited = (field: keyof typeof POLICY_LIMITS): ApiPropertyOptions => ({
  description: ORG_POLICY_FIELDS[field].description,
  type: 'integer',
  minimum: POLICY_LIMITS[field].min,
  maximum: POLICY_LIMITS[field].max,
});

/** An org's lifecycle policy (R4, R20), every field set. */
export class OrgPolicyView implements OrgPolicy {
  @ApiProperty({ description: ORG_POLICY_FIELDS.firstKeyRequiresAdmin.description }) firstKeyRequiresAdmin: boolean;
  @ApiProperty(limited('memberKeyApprovals')) memberKeyApprovals: number;
  @ApiProperty(limited('adminKeyApprovals')) adminKeyApprovals: number;
  @ApiProperty(limited('recoveryDelayHours')) recoveryDelayHours: number;
  @ApiProperty(limited('pendingRequestExpiryHours')) pendingRequestExpiryHours: number;
  @ApiProperty(limited('reminderAfterHours')) reminderAfterHours: number;
}

export class OrgPolicyChangedView {
  @ApiProperty({ type: OrgPolicyView }) policy: OrgPolicyView;
  @ApiProperty({ description: 'false when the org already had this policy: nothing was written' }) changed: boolean;
  @ApiProperty({ description: 'Log position (decimal); absent when nothing was written', example: '42', required: false }) position?: string;
}

export class OrganizationCreatedView {
  @ApiProperty({ example: 'org_01J9Z3' }) orgId: string;
  @ApiProperty({ description: 'Log position (decimal)', example: '1' }) position: string;
}

export class OrganizationView {
  @ApiProperty({ example: 'org_01J9Z3' }) orgId: string;
  @ApiProperty({ example: 'Acme' }) name: string;
  @ApiProperty({ type: OrgPolicyView }) policy: OrgPolicyView;
  @ApiProperty({ description: 'Number of agents', example: 3 }) agents: number;
  @ApiProperty({ description: 'R4: the first key of the org was approved' }) firstKeyAssigned: boolean;
}
