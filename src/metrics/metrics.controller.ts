import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { Public } from '../auth/access.decorators';

@ApiTags('operations')
@Controller('metrics')
@Public()
export class MetricsController {
  constructor(private readonly registry: Registry) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ operationId: 'metrics', summary: 'Prometheus metrics', description: 'In the Prometheus text format; no token (keep it off the public network).', security: [] })
  @ApiOkResponse({ description: 'The metrics', content: { 'text/plain': { schema: { type: 'string' }, example: '# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 0.5\n' } } })
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
