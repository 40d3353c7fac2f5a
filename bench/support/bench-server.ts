import { Controller, Get, Module } from '@nestjs/common';
import { startTestServer, type TestServer } from '../../test/support/test-server';

/** The ceiling of an authenticated command: a route of the same app, behind the same guard, that does nothing. */
@Controller('bench')
class HelloController {
  @Get('hello')
  hello() {
    return { hello: 'world' };
  }
}

@Module({ controllers: [HelloController] })
class HelloModule {}

export type BenchServer = TestServer;

/**
 * The api role as tests start it, plus GET /bench/hello. The projector, notifier and worker run in
 * processes of their own at scale, so they are not in the figures of the request path (their own
 * benchmarks measure them); logs are silent (a log line per request would be in every figure).
 */
export const startBenchServer = (): Promise<BenchServer> => startTestServer({ ROLES: 'api' }, [{ module: HelloModule }]);
