import { ApiProperty } from '@nestjs/swagger';
import { PROMPT_FREQUENCIES, type PromptFrequency } from '../../domain/browser/browser.events';

export class PromptFrequencyView {
  @ApiProperty({ enum: PROMPT_FREQUENCIES }) frequency: PromptFrequency;
  @ApiProperty({ description: 'Log position (decimal)', example: '42' }) position: string;
}

export class TaskAuthorizationView {
  @ApiProperty({ enum: [true] }) authorized: true;
  @ApiProperty({ enum: ['SIGNATURE', 'REMEMBERED'], description: 'A fresh signature, or remembered by the prompt frequency' }) method: 'SIGNATURE' | 'REMEMBERED';
  @ApiProperty({ format: 'date-time', description: 'End of the remembered window (the task time for EVERY_TASK)' }) validUntil: string;
  @ApiProperty({ description: 'Log position (decimal)', example: '42' }) position: string;
}
