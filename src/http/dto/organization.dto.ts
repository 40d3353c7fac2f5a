import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsEmail, IsIn, IsInt, IsObject, IsOptional, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { DEFAULT_ORG_POLICY, ORG_POLICY_FIELDS, POLICY_LIMITS } from '../../domain/organization/org-policy';
import { ROLES, type Role } from '../../domain/shared/roles';
import { IdField, TextField } from './fields';

export class NewAgentDto {
  @IdField('Agent id, unique in the org (e.g. the IdP subject)') agentId: string;
  @ApiProperty({ example: 'alice@example.com', maxLength: 254 }) @IsEmail() @MaxLength(254) email: string;
  @TextField('Name shown to approvers', 200) displayName: string;
}

type Limited = keyof typeof POLICY_LIMITS;

/** A numeric policy field, documented and bounded from the policy's own table (org-policy.ts). */
const LimitedField = (field: Limited) => {
  const { min, max } = POLICY_LIMITS[field];
  return applyDecorators(
    ApiPropertyOptional({ description: ORG_POLICY_FIELDS[field].description, minimum: min, maximum: max, default: DEFAULT_ORG_POLICY[field], type: 'integer' }),
    IsOptional(),
    IsInt(),
    Min(min),
    Max(max),
  );
};

/** The policy an org is created with (R20); a field left out takes its default. */
export class PolicyDto {
  @ApiPropertyOptional({ description: ORG_POLICY_FIELDS.firstKeyRequiresAdmin.description, default: true })
  @IsOptional()
  @IsBoolean()
  firstKeyRequiresAdmin?: boolean;
  @LimitedField('memberKeyApprovals') memberKeyApprovals?: number;
  @LimitedField('adminKeyApprovals') adminKeyApprovals?: number;
  @LimitedField('recoveryDelayHours') recoveryDelayHours?: number;
  @LimitedField('pendingRequestExpiryHours') pendingRequestExpiryHours?: number;
  @LimitedField('reminderAfterHours') reminderAfterHours?: number;
}

export class CreateOrganizationDto {
  @TextField('Organization name', 200) name: string;
  @ApiProperty({ type: NewAgentDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => NewAgentDto) superAdmin: NewAgentDto;
  @ApiPropertyOptional({ type: PolicyDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => PolicyDto) policy?: PolicyDto;
}

export class AddAgentDto extends NewAgentDto {
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES) role: Role;
}

export class ChangeRoleDto {
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES) role: Role;
}
