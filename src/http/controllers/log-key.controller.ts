import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../auth/access.decorators';
import { RateLimitedResponse, ServerStoppingResponse } from '../api-docs.decorators';
import { LOG_KEY, type LogKey } from '../../transparency/log-key';

/** The verifier key of the deployment's log key (R16): public, so anyone can check a checkpoint offline. */
@ApiTags('verifiable log')
@Controller('v1/log-key')
@Public()
export class LogKeyController {
  constructor(@Inject(LOG_KEY) private readonly logKey: LogKey) {}

  @Get()
  @Header('content-type', 'text/plain; charset=utf-8')
  @ApiOperation({
    operationId: 'getLogKey',
    summary: 'The log verifier key (C2SP signed-note vkey)',
    description: 'The log verifier key in the C2SP signed-note vkey text form: name+key id+base64(0x01 || Ed25519 public key). No token: anyone checks checkpoints offline with it.',
    security: [],
  })
  @ApiOkResponse({
    description: 'One line',
    content: { 'text/plain': { schema: { type: 'string' }, example: 'ztkeys.local/audit-log+1a2b3c4d+AXq8...\n' } },
  })
  @RateLimitedResponse()
  @ServerStoppingResponse()
  vkey(): string {
    return `${this.logKey.vkey}\n`;
  }
}
