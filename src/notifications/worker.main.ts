import pino from 'pino';
import { Registry } from 'prom-client';
import { checkServerDataDir, onDataDir } from '../config/data-dir';
import { ConfigError } from '../config/config-error';
import { readEnvironment } from '../config/environment';
import { throttledWarnings } from '../logging/throttled-warnings';
import { collectProcessMetrics } from '../metrics/process-metrics';
import { listenFault } from '../shared/listen-fault';
import { refuseNewerDataDir } from '../shared/data-format';
import { StartupError } from '../shared/startup-error';
import { STOP_SIGNALS } from '../shared/stop-signals';
import { toolCommand, ToolUsageError } from '../shared/tool-command-line';
import { notificationsConfig } from './notifications.config';
import { failedAttemptLog, newerReleaseJobLogs, queueGivenUpLog } from './email-delivery';
import { missingEmbeddedQueue } from './email-backend';
import { EmailNotifications } from './email-notifications';
import { serveWorkerProbes } from './worker-probe-server';
import { existingLogKey } from '../transparency/log-key';
import { deploymentIdentity } from '../deployment/deployment-identity';
import { RedisPrefixClaim } from '../deployment/redis-prefix-claim';

/**
 * Its logs, written at once: where stdout's reader is gone (`| head -1`, a log shipper stopped), the
 * first broken write turns logging off, where pino's buffered flush at exit retried it for ever and
 * the worker, stopping, never exited.
 */
const stdout = pino.destination({ dest: 1, sync: true });

/**
 * `npm run worker`: sends the queued emails. Run as many copies as wanted; each takes jobs
 * from the shared queue. SIGTERM, SIGINT or SIGHUP: take no new job, finish the running ones, exit.
 */
async function main(): Promise<void> {
  const environment = readEnvironment();
  const logger = pino({ name: 'email-worker', level: environment.LOG_LEVEL }, stdout);
  const config = notificationsConfig();
  // As the server's start checks it: a FIFO at email.sqlite or at the log key held the start for ever, a folder there ended it in a stack.
  checkServerDataDir(config.dataDir);
  // An empty queue made in a mistyped DATA_DIR would say "ready" and send nothing the server queued.
  const missing = missingEmbeddedQueue(config);
  if (missing) throw new StartupError(missing);
  // Before it opens the queue's store: one a newer release wrote is left as found.
  refuseNewerDataDir(config.dataDir);
  // The worker of a deployment whose log key it can read (its DATA_DIR, or LOG_SIGNING_KEY) claims
  // REDIS_KEY_PREFIX as the server does; one given Redis and SMTP alone cannot tell its deployment.
  const logKey = config.redisUrl
    ? existingLogKey({ dataDir: config.dataDir, logSigningKey: environment.LOG_SIGNING_KEY, logKeyName: environment.LOG_KEY_NAME, logPreviousKeys: environment.LOG_PREVIOUS_KEYS })
    : undefined;
  const claim = config.redisUrl && logKey ? new RedisPrefixClaim(config.redisUrl, config.redisKeyPrefix, deploymentIdentity(logKey), (message) => logger.warn(message)) : undefined;
  await claim?.answeredAtStart();
  const registry = new Registry();
  collectProcessMetrics(registry);
  // A job of a kind this release does not know: one warning per kind in this process, then debug lines.
  const handedBackLog = newerReleaseJobLogs();
  // A full disk under the queue it opens is one line naming DATA_DIR, as the server says it, not SQLite's stack.
  const notifications = onDataDir(config.dataDir, () => new EmailNotifications({
    config,
    registry,
    worker: true,
    // Redis retries many times a second while it is down: as the server does, a few lines, each counting what it held back.
    onError: throttledWarnings(logger, 'email queue store unreachable'),
    onAttemptFailed: (failure) => {
      const { level, fields, msg } = failedAttemptLog(failure);
      logger[level](fields, msg);
    },
    onGivenUp: (job, reason) => {
      const { fields, msg } = queueGivenUpLog(job, reason);
      logger.error(fields, msg);
    },
    onHandedBack: (job, delayMs) => {
      const { level, fields, msg } = handedBackLog(job, delayMs);
      logger[level](fields, msg);
    },
  }));
  // Listening before it takes jobs: a port it cannot have stops the start, nothing sent.
  const port = config.workerMetricsPort;
  const probes =
    port === undefined
      ? undefined
      : await serveWorkerProbes(port, registry, notifications.readiness.ping, environment.METRICS_TOKEN).catch((error: unknown) => {
          throw listenFault(error, undefined, port, 'EMAIL_WORKER_METRICS_PORT');
        });
  notifications.start();

  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    logger.info({ signal }, 'email worker stopping: finishing running jobs');
    claim?.close();
    await notifications.stop();
    probes?.close();
    logger.info('email worker stopped');
  };
  // Another deployment's claim found later (Redis away at start, or its claim lost and taken meanwhile) stops the worker.
  claim?.kept.catch(async (error: unknown) => {
    logger.fatal(`email worker stops: ${error instanceof Error ? error.message : String(error)}`);
    await notifications.stop();
    probes?.close();
    process.exit(1);
  });
  for (const signal of STOP_SIGNALS) {
    process.once(signal, () => {
      shutdown(signal).then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'email worker shutdown failed');
          process.exit(1);
        },
      );
    });
  }
  // Said once a stop signal is handled: one sent on reading it stops the worker as README says.
  logger.info(
    {
      queue: config.redisUrl ? `bullmq:${config.queueName}` : 'sqlite',
      mail: config.smtpUrl ? 'smtp' : 'outbox',
      ...(config.redisUrl ? { deployment: logKey ? deploymentIdentity(logKey) : 'not checked: no log key (DATA_DIR/log-signing-key or LOG_SIGNING_KEY)' } : {}),
    },
    'email worker ready',
  );
}

const USAGE = 'usage: npm run worker (no arguments: configured by the environment, see README "Environment")';

// It takes no arguments (the environment configures it): one it does not read would be a mistake unnoticed. --help, as the other tools read it, touches nothing.
const line = toolCommand(process.argv.slice(2), USAGE, {}, ({ positionals }) => {
  if (positionals.length > 0) throw new ToolUsageError(`no argument is read, not ${JSON.stringify(positionals[0])}`);
});
if ('exit' in line) process.exit(line.exit);
main().catch((error: unknown) => {
  if (!(error instanceof ConfigError || error instanceof StartupError)) throw error;
  // As the server says it: one JSON line naming the variable, no stack.
  pino({ name: 'email-worker' }, stdout).fatal(`email worker cannot start: ${error.message}`);
  process.exit(1);
});
