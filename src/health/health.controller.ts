import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Public } from '../auth/access.decorators';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness';

const PING_TIMEOUT_MS = 2000;

@ApiTags('operations')
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  @Get('live')
  @HealthCheck()
  @ApiOperation({ operationId: 'liveness', summary: 'Liveness: the process answers (never depends on other servers)', description: 'For the orchestrator; no token.', security: [] })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ operationId: 'readiness', summary: 'Readiness: every store and queue this process uses answers', description: 'For the orchestrator and load balancer; no token. 503 names what is down.', security: [] })
  ready() {
    return this.health.check(this.checks.map((check) => () => this.probe(check)));
  }

  private async probe(check: ReadinessCheck) {
    const indicator = this.indicators.check(check.name);
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), PING_TIMEOUT_MS).unref());
    const up = await Promise.race([check.ping().catch(() => false), timeout]);
    return up ? indicator.up() : indicator.down({ message: `${check.name} does not answer` });
  }
}
