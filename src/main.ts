import 'reflect-metadata';
import cluster from 'node:cluster';
import { Logger } from '@nestjs/common';
import { loadConfig } from './config/app-config';
import { prepareDataDir } from './config/data-dir';
import { ConfigError, logLevelOr } from './config/environment';
import { bootstrapTokenShown } from './config/secrets';
import { createHttpApp } from './create-http-app';
import { CONSOLE_PATH, consoleBuilt } from './http/console-static';
import { jsonLogger } from './logging/json-logger';
import { buildRuntime } from './runtime/build-runtime';
import { runClusterPrimary } from './runtime/cluster';
import { lockDataDir } from './runtime/data-dir-lock';
import { listenFault } from './shared/listen-fault';
import { StartupError } from './shared/startup-error';
import { shutDownOnSignals } from './runtime/shutdown';

const logger = new Logger('ztkeys');

/** Starts the roles of ROLES (all of them by default, on the embedded stores under DATA_DIR), in WORKERS processes. */
async function main(): Promise<void> {
  // JSON from the first line: what is logged before the Nest app exists goes through pino too, and
  // a LOG_LEVEL pino does not know logs at info while loadConfig() says what is wrong with it.
  Logger.overrideLogger(jsonLogger(logLevelOr('info')));
  const config = loadConfig();
  prepareDataDir(config.dataDir);
  if (config.workers > 1 && cluster.isPrimary) return runClusterPrimary(config);
  // From the start: a signal while a store does not answer yet must stop the process too.
  let stop = async (): Promise<void> => undefined;
  shutDownOnSignals(() => stop());
  // The embedded roles that follow the log run once per DATA_DIR; an API-only process may share it.
  const release = !config.eventStoreUrl && config.roles.some((role) => role !== 'api') ? lockDataDir(config.dataDir) : () => undefined;
  const runtime = await buildRuntime(config);
  stop = async () => {
    await runtime.close();
    release();
  };
  // Redis away at start: the claim of REDIS_KEY_PREFIX is answered later, and another deployment's prefix stops the process then.
  runtime.deploymentClaim.catch(async (error: unknown) => {
    logger.fatal(`ztkeys stops: ${error instanceof Error ? error.message : String(error)}`);
    await stop();
    process.exit(1);
  });
  const app = await createHttpApp(runtime);
  stop = async () => {
    await app.close();
    await runtime.close();
    release();
  };
  // Fastify's own listen, not Nest's: Nest logs a listen error as a line of its own, raw
  // (`Error: listen EADDRINUSE ...`), before the one fatal line naming the variable to fix.
  await app.init();
  try {
    await app.getHttpAdapter().getInstance().listen({ port: config.port, host: config.host });
  } catch (error) {
    throw listenFault(error, config.host, config.port);
  } finally {
    // Nest holds the lines logged while it started (bufferLogs) until this: they come first, the fatal one after.
    app.flushLogs();
  }
  runtime.start();
  const { port } = app.getHttpServer().address() as { port: number };
  // The address it listens on, not a guess: 127.0.0.1 unless HOST says otherwise.
  const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.log({
    msg: `ztkeys (${config.roles.join(', ')}) is listening on ${base}`,
    roles: config.roles,
    port,
    dataDir: config.dataDir,
    ...(config.roles.includes('api')
      ? { docs: `${base}/docs`, openapi: `${base}/docs-json`, console: consoleBuilt() ? `${base}${CONSOLE_PATH}` : 'not built (npm run build)' }
      : {}),
    bootstrapToken: bootstrapTokenShown(config, runtime.secrets),
  });
  if (!['127.0.0.1', '::1', 'localhost'].includes(config.host) && !config.metricsToken) {
    logger.warn(`HOST=${config.host} serves /metrics to anyone who reaches it; set METRICS_TOKEN to protect it.`);
  }
}

main().catch((error: unknown) => {
  // A configuration fault says what to fix; only the unexpected carries its stack (as `err`).
  if (error instanceof StartupError || error instanceof ConfigError) logger.fatal(`ztkeys cannot start: ${error.message}`);
  else logger.fatal(error);
  process.exit(1);
});
