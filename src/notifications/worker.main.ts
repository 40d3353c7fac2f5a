import pino from 'pino';
import { Registry } from 'prom-client';
import { ConfigError, readEnvironment } from '../config/environment';
import { throttledWarnings } from '../logging/throttled-warnings';
import { collectProcessMetrics } from '../metrics/process-metrics';
import { listenFault } from '../shared/listen-fault';
import { StartupError } from '../shared/startup-error';
import { STOP_SIGNALS } from '../shared/stop-signals';
import { notificationsConfig } from './notifications.config';
import { failedAttemptLog, queueGivenUpLog } from './email-delivery';
import { EmailNotifications } from './email-notifications';
import { serveWorkerProbes } from './worker-probe-server';

/**
 * `npm run worker`: sends the queued emails. Run as many copies as wanted; each takes jobs
 * from the shared queue. SIGTERM, SIGINT or SIGHUP: take no new job, finish the running ones, exit.
 */
async function main(): Promise<void> {
  const environment = readEnvironment();
  const logger = pino({ name: 'email-worker', level: environment.LOG_LEVEL });
  const config = notificationsConfig();
  const registry = new Registry();
  collectProcessMetrics(registry);
  const notifications = new EmailNotifications({
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
  });
  // Listening before it takes jobs: a port it cannot have stops the start, nothing sent.
  const port = config.workerMetricsPort;
  const probes =
    port === undefined
      ? undefined
      : await serveWorkerProbes(port, registry, notifications.readiness.ping, environment.METRICS_TOKEN).catch((error: unknown) => {
          throw listenFault(error, undefined, port, 'EMAIL_WORKER_METRICS_PORT');
        });
  notifications.start();
  logger.info(
    { queue: config.redisUrl ? `bullmq:${config.queueName}` : 'sqlite', mail: config.smtpUrl ? 'smtp' : 'outbox' },
    'email worker ready',
  );

  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    logger.info({ signal }, 'email worker stopping: finishing running jobs');
    await notifications.stop();
    probes?.close();
    logger.info('email worker stopped');
  };
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
}

// It takes no arguments (the environment configures it): one it does not read would be a mistake unnoticed.
if (process.argv.length > 2) {
  process.stderr.write('usage: npm run worker (no arguments: configured by the environment, see README "Environment")\n');
  process.exit(2);
}
main().catch((error: unknown) => {
  if (!(error instanceof ConfigError || error instanceof StartupError)) throw error;
  // As the server says it: one JSON line naming the variable, no stack.
  pino({ name: 'email-worker' }).fatal(`email worker cannot start: ${error.message}`);
  process.exit(1);
});
