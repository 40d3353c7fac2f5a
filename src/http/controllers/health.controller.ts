import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, type SchemaObject } from '@nestjs/swagger';
import { HealthCheck, type HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ProblemResponse } from '../api-docs.decorators';
import { HttpProblem } from '../problem.filter';
import { problem } from '../problem';
import { Public } from '../../auth/access.decorators';
import { type CheckOutcome, READINESS_PROBE, type ReadinessProbe } from '../../shared/readiness';
import { describeDown } from '../../logging/readiness-changes';

/** Each check by name, and its status. */
const CHECKS: SchemaObject = { type: 'object', additionalProperties: { type: 'object', required: ['status'], properties: { status: { type: 'string', example: 'up' } } } };
/** Terminus's health result, every check up (liveness has none). */
const READY_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['status', 'info', 'error', 'details'],
  properties: { status: { type: 'string', enum: ['ok'] }, info: CHECKS, error: CHECKS, details: CHECKS },
};

@ApiTags('operations')
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_PROBE) private readonly readiness: ReadinessProbe,
  ) {}

  @Get('live')
  // Not Terminus's documentation: with no check to fail, its 503 is never answered here.
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOkResponse({ description: 'The process answers', schema: READY_SCHEMA })
  @ApiOperation({ operationId: 'liveness', summary: 'Liveness: the process answers (never depends on other servers)', description: 'For the orchestrator; no token.', security: [] })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  // Not Terminus's documentation: its 503 is a health result, this one answers a problem.
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOkResponse({ description: 'Every check is up', schema: READY_SCHEMA })
  @ProblemResponse(503, 'Not ready: the problem names what is down, or how far the read models are behind the log they are catching up with (checks: each check and its status)', 'NOT_READY')
  @ApiOperation({
    operationId: 'readiness',
    summary: 'Readiness: every store and queue this process uses answers, and its read models have caught up with the log',
    description:
      'For the orchestrator and load balancer; no token, so it names no org, agent or event (a fault of an org\'s log is counted here and named in the server\'s log). 503 names what is down, or, until the read models have caught up with the log as it stood at start, how far each is behind. Once caught up, a lag under load does not fail readiness: send X-Min-Position to read your writes.',
    security: [],
  })
  async ready() {
    const outcomes = await this.readiness.probe();
    try {
      return await this.health.check(outcomes.map((outcome) => () => this.indicated(outcome)));
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      // The on-call engineer reads which store is down and why, not a bare "Service Unavailable".
      const { error: failed = {}, details } = error.getResponse() as HealthCheckResult;
      const down = Object.entries(failed).map(([name, result]) => ({ name, reason: String(result?.message) }));
      throw new HttpProblem(problem(503, 'NOT_READY', `Not ready: ${describeDown(down)} down.`, { checks: details }), { 'retry-after': '5' });
    }
  }

  private indicated({ name, fault }: CheckOutcome) {
    const indicator = this.indicators.check(name);
    return fault === undefined ? indicator.up() : indicator.down({ message: fault });
  }
}
