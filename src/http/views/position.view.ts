import { ApiProperty } from '@nestjs/swagger';

/** What a command answers: the log position of its events, for X-Min-Position on later reads. */
export class PositionView {
  @ApiProperty({ type: String, nullable: true, description: 'Log position (decimal); null when nothing was recorded', example: '42' })
  position: string | null;
}
