import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mintAgentToken } from '../../src/auth/token-minter';
import { loadConfig, RATE_LIMIT_NAMES } from '../../src/config/app-config';
import type { Secrets } from '../../src/config/secrets';
import type { EventStore } from '../../src/event-store/event-store.port';
import { createHttpApp } from '../../src/create-http-app';
import type { ReadModelStore } from '../../src/read-models/read-model-store.port';
import { buildRuntime } from '../../src/runtime/build-runtime';

/**
 * The real application (every role, embedded stores) on a loopback port with its own data folder,
 * as tests and benchmarks drive it over HTTP. Benchmarks add their own routes through `modules`.
 */
export interface TestServer {
  url: string;
  dataDir: string;
  bootstrapToken: string;
  secrets: Secrets;
  eventStore: EventStore;
  readModels: ReadModelStore;
  app: NestFastifyApplication;
  token(orgId: string, agentId: string): Promise<string>;
  close(): Promise<void>;
}

/** Suites and benchmarks fire thousands of requests from one address and agent: limits far above that, unless a suite sets its own. */
const GENEROUS_RATE_LIMITS = Object.fromEntries(RATE_LIMIT_NAMES.map((name) => [`RATE_LIMIT_${name.toUpperCase()}`, '1000000/1']));

/** A DATA_DIR in `env` is the caller's to remove; otherwise the server's own folder goes on close. */
export async function startTestServer(env: Record<string, string> = {}, modules: DynamicModule[] = []): Promise<TestServer> {
  const ownDataDir = env.DATA_DIR === undefined;
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'ztkeys-e2e-'));
  process.env.LOG_LEVEL = 'silent';
  // Suites check that a refused command writes nothing (the log head stays put): checkpoints, the
  // only writes not caused by a command, come a day later unless a suite asks for them.
  const processEnv = { ...GENEROUS_RATE_LIMITS, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', LOG_CHECKPOINT_DELAY_MS: '86400000', LOG_CHECKPOINT_IDLE_MS: '86400000', ...env };
  const config = loadConfig(processEnv);
  const runtime = await buildRuntime(config, processEnv);
  runtime.modules = [...(runtime.modules ?? []), ...modules];
  const app = await createHttpApp(runtime);
  await app.listen({ port: 0, host: '127.0.0.1' });
  runtime.start();
  const address = app.getHttpServer().address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    dataDir,
    bootstrapToken: runtime.secrets.bootstrapToken,
    secrets: runtime.secrets,
    eventStore: runtime.eventStore,
    readModels: runtime.readModels,
    app,
    token: (orgId, agentId) => mintAgentToken(runtime.secrets.jwtSecret!, { agentId, orgId }, 3600, { issuer: config.jwtIssuer, audience: config.jwtAudience }),
    close: async () => {
      await app.close();
      await runtime.close();
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
