import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Registry } from 'prom-client';
import { mintAgentToken } from '../../src/auth/token-minter';
import { loadConfig } from '../../src/config/app-config';
import { loadSecrets } from '../../src/config/secrets';
import type { EventStore } from '../../src/event-store/event-store.port';
import { openEventStore } from '../../src/event-store/open-event-store';
import { createHttpApp } from '../../src/http/create-http-app';

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

/** The real application on a loopback port with its own data folder, as benchmarks drive it over HTTP. */
export interface BenchServer {
  url: string;
  bootstrapToken: string;
  eventStore: EventStore;
  app: NestFastifyApplication;
  token(orgId: string, agentId: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the app as test/support/test-server.ts does (that file is outside the build), plus
 * GET /bench/hello. Logs are silent: a log line per request would be part of every figure.
 */
export async function startBenchServer(): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-bench-'));
  process.env.LOG_LEVEL = 'silent';
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
  const secrets = loadSecrets(config);
  const eventStore = openEventStore(config);
  const app = await createHttpApp({
    config,
    secrets,
    eventStore,
    registry: new Registry(),
    readinessChecks: [{ name: 'eventStore', ping: () => eventStore.ping() }],
    modules: [{ module: HelloModule }],
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    bootstrapToken: secrets.bootstrapToken,
    eventStore,
    app,
    token: (orgId, agentId) => mintAgentToken(secrets.jwtSecret!, { agentId, orgId }, 3600),
    close: async () => {
      await app.close();
      await eventStore.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
