import cluster from 'node:cluster';
import { Logger } from '@nestjs/common';
import type { AppConfig } from './config/app-config';
import { bootstrapTokenShown } from './config/secrets';
import { createHttpApp } from './create-http-app';
import { CONSOLE_PATH, consoleBuilt } from './http/console-static';
import { listenFault } from './shared/listen-fault';
import { buildRuntime } from './runtime/build-runtime';
import { runClusterPrimary } from './runtime/cluster';
import { lockDataDir } from './runtime/data-dir-lock';
import { refuseLostEventLog, refuseLostLogKey } from './runtime/lost-event-log';
import { shutDownOnSignals } from './runtime/shutdown';
import { refuseNewerDataDir } from './shared/data-format';

const logger = new Logger('ztkeys');

/** Runs the roles of ROLES (all of them by default, on the embedded stores under DATA_DIR) in this process, or WORKERS processes of them. */
export async function serve(config: AppConfig): Promise<void> {
  // Before anything writes in DATA_DIR (its lock, a secret, a store): a newer release's folder is left as found.
  refuseNewerDataDir(config.dataDir);
  // Before anything opens the embedded log, which would make a missing or empty one a new, empty log.
  if (!config.eventStoreUrl) {
    refuseLostEventLog(config.dataDir);
    refuseLostLogKey(config);
  }
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
  // Another deployment's claim of REDIS_KEY_PREFIX found later (Redis away at start, or this one's lost and taken meanwhile) stops the process.
  runtime.deploymentClaim.catch(async (error: unknown) => {
    logger.fatal(`ztkeys stops: ${error instanceof Error ? error.message : String(error)}`);
    // Refused while Nest starts, the line would wait in its buffer (bufferLogs) and die with the process.
    Logger.flush();
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
