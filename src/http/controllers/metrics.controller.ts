import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { MetricsScraper } from '../../auth/access.decorators';
import { MetricsEndpoint } from '../api-docs.decorators';

@ApiTags('operations')
@Controller('metrics')
@MetricsScraper()
export class MetricsController {
  constructor(private readonly registry: Registry) {}

  @Get()
  @MetricsEndpoint()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ operationId: 'metrics', summary: 'Prometheus metrics', description: 'In the Prometheus text format; public unless METRICS_TOKEN is set, then `Authorization: Bearer <METRICS_TOKEN>`.' })
  @ApiOkResponse({ description: 'The metrics', content: { 'text/plain': { schema: { type: 'string' }, example: '# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 0.5\n' } } })
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
