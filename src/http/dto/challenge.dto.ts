import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { PROMPT_FREQUENCIES } from '../../domain/browser/browser.events';
import { CHALLENGE_PURPOSES, type ChallengePurpose } from '../../domain/shared/signed-proof';
import { ID_PATTERN } from '../../domain/streams';

/** Fields each purpose binds; any other field is refused (see ChallengesController). */
export const CHALLENGE_FIELDS: Record<ChallengePurpose, string[]> = {
  KEY_REQUEST: ['publicKey'],
  KEY_DECISION: ['requestId', 'decision'],
  PROMPT_FREQUENCY: ['browserId', 'frequency'],
  SENSITIVE_TASK: ['browserId', 'task'],
};

const when = (...purposes: ChallengePurpose[]) => ValidateIf((dto: ChallengeDto) => purposes.includes(dto.purpose));

export class ChallengeDto {
  @ApiProperty({ enum: CHALLENGE_PURPOSES }) @IsIn(CHALLENGE_PURPOSES) purpose: ChallengePurpose;

  @ApiPropertyOptional({ description: 'KEY_REQUEST: the new public key, base64url (43 characters)' })
  @when('KEY_REQUEST')
  @IsString()
  @Length(43, 43, { message: 'publicKey must be 43 base64url characters (a raw 32-byte Ed25519 key)' })
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'publicKey must be base64url without padding' })
  publicKey?: string;

  @ApiPropertyOptional({ description: 'KEY_DECISION: the request decided on' })
  @when('KEY_DECISION')
  @IsString()
  @Length(1, 256)
  requestId?: string;

  @ApiPropertyOptional({ enum: ['APPROVE', 'REJECT'], description: 'KEY_DECISION' })
  @when('KEY_DECISION')
  @IsIn(['APPROVE', 'REJECT'])
  decision?: 'APPROVE' | 'REJECT';

  @ApiPropertyOptional({ description: 'PROMPT_FREQUENCY, SENSITIVE_TASK', pattern: ID_PATTERN.source })
  @when('PROMPT_FREQUENCY', 'SENSITIVE_TASK')
  @IsString()
  @Matches(ID_PATTERN, { message: 'browserId must be 1-128 letters, digits, ".", "_", "@" or "-"' })
  browserId?: string;

  @ApiPropertyOptional({ enum: PROMPT_FREQUENCIES, description: 'PROMPT_FREQUENCY' })
  @when('PROMPT_FREQUENCY')
  @IsIn(PROMPT_FREQUENCIES)
  frequency?: string;

  @ApiPropertyOptional({ description: 'SENSITIVE_TASK: the task name', maxLength: 200 })
  @when('SENSITIVE_TASK')
  @IsString()
  @Length(1, 200)
  task?: string;
}
