import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { PROMPT_FREQUENCIES, type PromptFrequency } from '../../domain/browser/browser.events';
import { ChallengeIdField, IdField, SignatureField, TextField } from './fields';

export class SetPromptFrequencyDto {
  @ApiProperty({ enum: PROMPT_FREQUENCIES }) @IsIn(PROMPT_FREQUENCIES) frequency: PromptFrequency;
  @ChallengeIdField() challengeId: string;
  @SignatureField() signature: string;
}

export class SensitiveTaskDto {
  @IdField('The browser the task is performed from') browserId: string;
  @TextField('Name of the sensitive task, e.g. remote-control:device-42', 200) task: string;
  @ChallengeIdField(true) challengeId?: string;
  @SignatureField(true) signature?: string;
}
