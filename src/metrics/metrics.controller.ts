import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { MetricsScraper } from '../auth/access.decorators';
import { MetricsEndpoint } from '../http/api-docs.decorators';

@ApiTags('operations')
@Controller('metrics')
@MetricsScraper()
export class MetricsController {
  constructor(private readonly registry: Registry) {}

  @Get()
  @MetricsEndpoint()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics: public unless METRICS_TOKEN is set, then `Authorization: Bearer <METRICS_TOKEN>`' })
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
