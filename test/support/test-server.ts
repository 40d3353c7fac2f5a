import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mintAgentToken } from '../../src/auth/token-minter';
import { loadConfig } from '../../src/config/app-config';
import { loadSecrets } from '../../src/config/secrets';
import type { EventStore } from '../../src/event-store/event-store.port';
import { openEventStore } from '../../src/event-store/open-event-store';
import { createHttpApp } from '../../src/http/create-http-app';

/** The real application on a loopback port with its own data folder: what e2e tests talk to over HTTP. */
export interface TestServer {
  url: string;
  bootstrapToken: string;
  eventStore: EventStore;
  app: NestFastifyApplication;
  token(orgId: string, agentId: string): Promise<string>;
  close(): Promise<void>;
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-e2e-'));
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env });
  process.env.LOG_LEVEL = 'silent';
  const secrets = loadSecrets(config);
  const eventStore = openEventStore(config);
  const app = await createHttpApp({
    config,
    secrets,
    eventStore,
    registry: new Registry(),
    readinessChecks: [{ name: 'eventStore', ping: () => eventStore.ping() }],
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
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
