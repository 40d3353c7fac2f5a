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
  @ApiOperation({ summary: 'Liveness: the process answers (never depends on other servers)' })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: every store and queue this process uses answers' })
  ready() {
    return this.health.check(this.checks.map((check) => () => this.probe(check)));
  }

  private async probe(check: ReadinessCheck) {
    const indicator = this.indicators.check(check.name);
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), PING_TIMEOUT_MS).unref());
    // A check that knows why it is down (disk full, log behind a checkpoint) rejects with the reason.
    const up = await Promise.race([check.ping().catch((error: unknown) => (error instanceof Error ? error.message : false)), timeout]);
    if (up === true) return indicator.up();
    return indicator.down({ message: typeof up === 'string' ? up : `${check.name} does not answer` });
  }
}
