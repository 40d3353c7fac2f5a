import 'reflect-metadata';
import { loadConfig } from './config/app-config';
import { CONSOLE_PATH, consoleBuilt } from './http/console-static';
import { createHttpApp } from './http/create-http-app';
import { buildRuntime } from './runtime/build-runtime';

/** Starts the roles of ROLES (all of them by default, on the embedded stores under DATA_DIR). */
async function main(): Promise<void> {
  const config = loadConfig();
  const runtime = await buildRuntime(config);
  const app = await createHttpApp(runtime);
  await app.listen({ port: config.port, host: config.host });
  runtime.start();
  const base = `http://localhost:${config.port}`;
  console.log(`ztkeys (${config.roles.join(', ')}) is listening on ${base} (data in ${config.dataDir})`);
  if (config.roles.includes('api')) {
    console.log(`  API docs: ${base}/docs   OpenAPI: ${base}/docs-json`);
    console.log(consoleBuilt() ? `  Web console: ${base}${CONSOLE_PATH}` : '  Web console: not built (run npm run build)');
  }
  const { secrets } = runtime;
  if (secrets.generated.some((path) => path.endsWith('bootstrap-token'))) {
    console.log(`  Operator bootstrap token (generated, kept in ${config.dataDir}/bootstrap-token): ${secrets.bootstrapToken}`);
  } else {
    console.log(`  Operator bootstrap token: ${config.bootstrapToken ? 'from BOOTSTRAP_TOKEN' : `${config.dataDir}/bootstrap-token`}`);
  }
  const stop = async () => {
    await app.close();
    await runtime.close();
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
