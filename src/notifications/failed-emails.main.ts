/**
 * `npm run emails -- failed | retry <job id>... | retry --all | discard <job id>... | discard --all`:
 * lists the email jobs kept as failed (refused for good by the SMTP server, out of EMAIL_ATTEMPTS,
 * or their workers lost), puts them back in the queue once the cause is fixed, or drops for good
 * those that can never be sent (each logged on stderr, so that the operator's action can be traced). Same configuration as the server (DATA_DIR, REDIS_URL, REDIS_KEY_PREFIX,
 * EMAIL_QUEUE); safe while the server and workers run: the queue's store is shared (SQLite in WAL
 * with IMMEDIATE write transactions, or Redis). With the deployment's log key (DATA_DIR or
 * LOG_SIGNING_KEY), it refuses a REDIS_KEY_PREFIX that another deployment (or none) holds.
 */
import pino from 'pino';
import { checkServerDataDir, storageFaultAtStart } from '../config/data-dir';
import { type Environment, readEnvironment } from '../config/environment';
import { deploymentIdentity } from '../deployment/deployment-identity';
import { checkPrefixHeld } from '../deployment/redis-prefix-claim';
import { existingLogKey } from '../transparency/log-key';
import { embeddedEmailQueuePath, missingEmbeddedQueue, openEmailBackend } from './email-backend';
import { toolCommand } from '../shared/tool-command-line';
import { EXIT, FAILED_EMAILS_OPTIONS, FAILED_EMAILS_USAGE, type FailedEmailsCommand, failedEmailsCommand, runFailedEmailsCommand } from './failed-emails-command';
import { type NotificationsConfig, notificationsConfig } from './notifications.config';

async function main(args: string[]): Promise<number> {
  const line = toolCommand(args, FAILED_EMAILS_USAGE, FAILED_EMAILS_OPTIONS, failedEmailsCommand);
  if ('exit' in line) return line.exit;
  const command = line.command;
  const environment = readEnvironment();
  const config = notificationsConfig();
  // As the server's start checks it: a FIFO at email.sqlite (or at the log key read below) held the tool for ever.
  checkServerDataDir(config.dataDir);
  // Opening a missing file would create an empty queue, and list nothing: a mistyped DATA_DIR.
  const missing = missingEmbeddedQueue(config);
  if (missing) throw new Error(missing);
  try {
    return await onQueue(config, environment, command);
  } catch (error) {
    // A full disk is one line naming DATA_DIR, as the server says it, not SQLite's "disk I/O error".
    throw storageFaultAtStart(error, config.dataDir) ?? error;
  }
}

async function onQueue(config: NotificationsConfig, environment: Environment, command: FailedEmailsCommand): Promise<number> {
  const backend = openEmailBackend(config);
  try {
    if (!(await backend.queue.ping())) {
      throw new Error(`the email queue's store does not answer: ${config.redisUrl ? 'Redis at REDIS_URL' : embeddedEmailQueuePath(config.dataDir)}`);
    }
    // With this deployment's log key at hand (as npm run worker), the prefix's claim is read, never
    // made: a prefix another deployment holds is its queue, not one to act on.
    const logKey = config.redisUrl
      ? existingLogKey({ dataDir: config.dataDir, logSigningKey: environment.LOG_SIGNING_KEY, logKeyName: environment.LOG_KEY_NAME, logPreviousKeys: environment.LOG_PREVIOUS_KEYS })
      : undefined;
    if (config.redisUrl && logKey) await checkPrefixHeld(config.redisUrl, config.redisKeyPrefix, deploymentIdentity(logKey));
    // On stderr, synchronously: stdout holds the result (JSON with --json), and the process exits right after.
    const logger = pino({ name: 'emails' }, pino.destination({ dest: 2, sync: true }));
    return await runFailedEmailsCommand(backend.queue, command, process, logger);
  } finally {
    await backend.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`emails failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(EXIT.failed);
  },
);
