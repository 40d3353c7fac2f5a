import { ApiProperty } from '@nestjs/swagger';

export class ChallengeView {
  @ApiProperty({ description: 'Send it back with the signature' }) challengeId: string;
  @ApiProperty({ description: 'RFC 8785 canonical JSON of what is bound: sign its UTF-8 bytes' }) statement: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-30T12:05:00.000Z' }) expiresAt: string;
}
