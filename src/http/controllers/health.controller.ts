import { Controller, Get, Inject, Logger, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, type SchemaObject } from '@nestjs/swagger';
import { HealthCheck, type HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ProblemResponse } from '../api-docs.decorators';
import { HttpProblem } from '../problem.filter';
import { problem } from '../problem';
import { Public } from '../../auth/access.decorators';
import { READINESS_CHECKS, type ReadinessCheck } from '../../shared/readiness';
import { within } from '../../shared/within';
import { describeDown, readinessChanges } from '../../logging/readiness-changes';

const PING_TIMEOUT_MS = 2000;

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
  private readonly logChange = readinessChanges(new Logger('Readiness'));

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
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
    try {
      const result = await this.health.check(this.checks.map((check) => () => this.probe(check)));
      this.logChange([]);
      return result;
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      // The on-call engineer reads which store is down and why, not a bare "Service Unavailable".
      const { error: failed = {}, details } = error.getResponse() as HealthCheckResult;
      const down = Object.entries(failed).map(([name, result]) => ({ name, reason: String(result?.message) }));
      this.logChange(down);
      throw new HttpProblem(problem(503, 'NOT_READY', `Not ready: ${describeDown(down)} down.`, { checks: details }), { 'retry-after': '5' });
    }
  }

  private async probe(check: ReadinessCheck) {
    const indicator = this.indicators.check(check.name);
    // A check that knows why it is down (disk full, log behind a checkpoint, read models catching up) rejects with the reason.
    const fault = await within(check.ping(), PING_TIMEOUT_MS).then(
      (up) => (up ? undefined : 'does not answer'),
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    return fault === undefined ? indicator.up() : indicator.down({ message: fault });
  }
}
