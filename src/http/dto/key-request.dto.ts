import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Matches } from 'class-validator';
import { ChallengeIdField, PublicKeyField, SignatureField, TextField } from './fields';

export class CreateKeyRequestDto {
  @PublicKeyField() publicKey: string;
  @ChallengeIdField() challengeId: string;
  @SignatureField() signature: string;
  @ApiPropertyOptional({ description: 'R7: cancel my PENDING request and make this one instead', default: false })
  @IsOptional()
  @IsBoolean()
  replacePending?: boolean;
}

export class ApproveKeyRequestDto {
  @ApiProperty({ description: 'The code the requester read out to you (15 digits; spaces or dashes allowed)', example: '123-456-789-012-345' })
  @IsString()
  @Matches(/^[0-9][0-9 -]{13,40}[0-9]$/, { message: 'verificationCode must be 15 digits, optionally grouped with spaces or dashes' })
  verificationCode: string;
  @ChallengeIdField() challengeId: string;
  @SignatureField() signature: string;
}

export class RejectKeyRequestDto {
  @TextField('Why the request is rejected (recorded in the audit log)', 500, true) reason?: string;
  @ChallengeIdField() challengeId: string;
  @SignatureField() signature: string;
}

export class RevokeKeyDto {
  @TextField('Why the key is revoked (recorded in the audit log)', 500) reason: string;
}
