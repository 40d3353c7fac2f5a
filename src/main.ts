import 'reflect-metadata';
import { Registry } from 'prom-client';
import { type AppConfig, loadConfig } from './config/app-config';
import { loadSecrets } from './config/secrets';
import { openEventStore } from './event-store/open-event-store';
import { createHttpApp } from './http/create-http-app';

async function main(config: AppConfig): Promise<void> {
  const secrets = loadSecrets(config);
  const eventStore = openEventStore(config);
  const registry = new Registry();
  const app = await createHttpApp({
    config,
    secrets,
    eventStore,
    registry,
    readinessChecks: [{ name: 'eventStore', ping: () => eventStore.ping() }],
  });
  await app.listen({ port: config.port, host: config.host });
  const base = `http://localhost:${config.port}`;
  console.log(`ztkeys is listening on ${base} (data in ${config.dataDir})`);
  console.log(`  API docs: ${base}/docs   OpenAPI: ${base}/docs-json`);
  if (secrets.generated.some((path) => path.endsWith('bootstrap-token'))) {
    console.log(`  Operator bootstrap token (generated, kept in ${config.dataDir}/bootstrap-token): ${secrets.bootstrapToken}`);
  } else {
    console.log(`  Operator bootstrap token: ${config.bootstrapToken ? 'from BOOTSTRAP_TOKEN' : `${config.dataDir}/bootstrap-token`}`);
  }
  const stop = async () => {
    await app.close();
    await eventStore.close();
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main(loadConfig()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
