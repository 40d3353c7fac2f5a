import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '../../auth/access.decorators';
import { LOG_KEY, type LogKey } from '../../transparency/log-key';

/** The verifier key of the deployment's log key (R16): public, so anyone can check a checkpoint offline. */
@ApiTags('verifiable log')
@Controller('v1/log-key')
@Public()
export class LogKeyController {
  constructor(@Inject(LOG_KEY) private readonly logKey: LogKey) {}

  @Get()
  @Header('content-type', 'text/plain; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'The log verifier key in the C2SP signed-note vkey text form: name+key id+base64(0x01 || Ed25519 public key)' })
  @ApiOkResponse({ description: 'One line, e.g. ztkeys.local/audit-log+1a2b3c4d+Ab...', schema: { type: 'string' } })
  vkey(): string {
    return `${this.logKey.vkey}\n`;
  }
}
