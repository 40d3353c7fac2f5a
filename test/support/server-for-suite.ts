import { Journey } from './api-client';
import { startTestServer, type TestServer } from './test-server';

/** A describe block's own server, started before its tests and closed after them, and a journey driving it. */
export interface SuiteServer {
  readonly server: TestServer;
  readonly journey: Journey;
}

type SuiteEnv = Record<string, string> | (() => Promise<Record<string, string>>);

/**
 * Registers the beforeAll / afterAll of a suite that shares one server: call it in the describe
 * block, before the hooks that use the server (hooks run in the order they are registered).
 * `env` may be computed in the beforeAll, for what must be found first (a closed port).
 */
export function serverForSuite(env: SuiteEnv = {}): SuiteServer {
  let started: SuiteServer | undefined;
  beforeAll(async () => {
    const server = await startTestServer(typeof env === 'function' ? await env() : env);
    started = { server, journey: new Journey(server) };
  });
  afterAll(() => started?.server.close());
  const running = (): SuiteServer => {
    if (!started) throw new Error('the suite server starts in beforeAll: use it in hooks and tests only');
    return started;
  };
  return {
    get server() {
      return running().server;
    },
    get journey() {
      return running().journey;
    },
  };
}
