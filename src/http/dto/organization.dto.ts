import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsEmail, IsIn, IsObject, IsOptional, MaxLength, ValidateNested } from 'class-validator';
import { ROLES, type Role } from '../../domain/shared/roles';
import { IdField, TextField } from './fields';

export class NewAgentDto {
  @IdField('Agent id, unique in the org (e.g. the IdP subject)') agentId: string;
  @ApiProperty({ example: 'alice@example.com', maxLength: 254 }) @IsEmail() @MaxLength(254) email: string;
  @TextField('Name shown to approvers', 200) displayName: string;
}

export class PolicyDto {
  @ApiPropertyOptional({ description: 'R4: the first key must come from an ADMIN or SUPER_ADMIN', default: true })
  @IsOptional()
  @IsBoolean()
  firstKeyRequiresAdmin?: boolean;
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
