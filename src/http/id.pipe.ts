import { BadRequestException, type PipeTransform } from '@nestjs/common';
import { ID_PATTERN } from '../domain/streams';
import { problem } from './problem';
import { quoted } from '../shared/quoted';

/** Path ids (agentId, browserId) follow the same pattern as ids in bodies. */
export class IdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
      throw new BadRequestException(problem(400, 'INVALID_ID', `${quoted(String(value))} is not a valid id: 1-128 letters, digits, ".", "_", "@" or "-".`));
    }
    return value;
  }
}
