import { startTestServer, type TestServer } from '../../test/support/test-server';

export type BenchServer = TestServer;

/**
 * The api role as tests start it. The projector, notifier and worker run in processes of their
 * own at scale, so they are not in the figures of the request path (their own benchmarks measure
 * them); logs are silent (a log line per request would be in every figure).
 */
export const startBenchServer = (): Promise<BenchServer> => startTestServer({ ROLES: 'api' });
