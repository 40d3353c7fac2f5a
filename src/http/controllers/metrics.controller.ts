import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MetricsScraper } from '../../auth/access.decorators';
import { METRICS_SCRAPE, type MetricsScrape, MetricsUnavailable } from '../../metrics/metrics-scrape.port';
import { MetricsEndpoint, ProblemResponse } from '../api-docs.decorators';
import { problem } from '../problem';
import { HttpProblem } from '../problem.filter';

@ApiTags('operations')
@Controller('metrics')
@MetricsScraper()
export class MetricsController {
  constructor(@Inject(METRICS_SCRAPE) private readonly scrape: MetricsScrape) {}

  @Get()
  @MetricsEndpoint()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ operationId: 'metrics', summary: 'Prometheus metrics', description: 'In the Prometheus text format; public unless METRICS_TOKEN is set, then `Authorization: Bearer <METRICS_TOKEN>`.' })
  @ProblemResponse(503, "WORKERS > 1: the cluster's primary or one of its workers did not answer in time; no part of the cluster's metrics is answered (Prometheus would read missing counts as a counter reset)", 'METRICS_UNAVAILABLE')
  @ApiOkResponse({ description: 'The metrics', content: { 'text/plain': { schema: { type: 'string' }, example: '# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 0.5\n' } } })
  metrics(): Promise<string> {
    return this.scrape.text().catch((error: unknown) => {
      if (!(error instanceof MetricsUnavailable)) throw error;
      throw new HttpProblem(problem(503, 'METRICS_UNAVAILABLE', `The cluster's metrics cannot be answered: ${error.message}. Try again shortly.`), { 'retry-after': '5' });
    });
  }
}
