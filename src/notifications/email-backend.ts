import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NotificationsConfig } from './notifications.config';
import type { EmailQueue } from './queue/email-queue.port';
import type { NotifierCheckpoint } from './checkpoint/notifier-checkpoint.port';
import type { Mailer } from './mail/mailer.port';
import type { BullmqEmailQueue } from './queue/bullmq-email-queue';
import { SqliteEmailQueue } from './queue/sqlite-email-queue';
import type { RedisNotifierCheckpoint } from './checkpoint/redis-notifier-checkpoint';
import { SqliteNotifierCheckpoint } from './checkpoint/sqlite-notifier-checkpoint';
import { SmtpMailer } from './mail/smtp-mailer';
import { OutboxMailer } from './mail/outbox-mailer';
import { openSqliteFile } from '../shared/sqlite-file';
import { redisKeys } from '../config/redis-keys';

/** The queue and the notifier's checkpoint, in one store: Redis when REDIS_URL is set, else DATA_DIR/email.sqlite. */
export interface EmailBackend {
  queue: EmailQueue;
  checkpoint: NotifierCheckpoint;
  close(): Promise<void>;
}

/** The embedded queue's file (with the notifier's checkpoint) in DATA_DIR. */
export const embeddedEmailQueuePath = (dataDir: string): string => join(dataDir, 'email.sqlite');

/**
 * Why the embedded queue cannot be this deployment's: DATA_DIR holds no email.sqlite, so no server
 * ran there (a mistyped or new path). Opening it would create an empty queue that no one fills,
 * while the server's jobs wait in its own. Undefined on Redis, or where the queue is.
 */
export function missingEmbeddedQueue(config: NotificationsConfig): string | undefined {
  if (config.redisUrl || existsSync(embeddedEmailQueuePath(config.dataDir))) return undefined;
  return `DATA_DIR ${config.dataDir} holds no email queue (email.sqlite): run with the server's DATA_DIR (and REDIS_URL if it has one)`;
}

export function openEmailBackend(config: NotificationsConfig, onError?: (error: unknown) => void): EmailBackend {
  const common = { retry: config.retry, lockMs: config.lockMs, keepCompletedMs: config.keepCompletedMs, onError };
  if (config.redisUrl) {
    // Required here, not imported: the embedded default starts without BullMQ and Redis's client.
    const { BullmqEmailQueue: Bullmq } = require('./queue/bullmq-email-queue') as { BullmqEmailQueue: typeof BullmqEmailQueue };
    const { RedisNotifierCheckpoint: RedisCheckpoint } = require('./checkpoint/redis-notifier-checkpoint') as { RedisNotifierCheckpoint: typeof RedisNotifierCheckpoint };
    const keys = redisKeys(config.redisKeyPrefix);
    const queue = new Bullmq({ ...common, redisUrl: config.redisUrl, prefix: keys.bullmq, name: config.queueName });
    const checkpoint = new RedisCheckpoint(config.redisUrl, keys.notifierCheckpoint(config.queueName), keys.notifierParked(config.queueName), onError);
    const close = async (): Promise<void> => {
      await queue.close();
      await checkpoint.close();
    };
    return { queue, checkpoint, close };
  }
  // NORMAL: jobs and the notifier's checkpoint commit together, so a lost commit is replayed from the log.
  const db = openSqliteFile(embeddedEmailQueuePath(config.dataDir), 'NORMAL');
  const queue = new SqliteEmailQueue(db, common);
  const close = async (): Promise<void> => {
    await queue.close();
    db.close();
  };
  return { queue, checkpoint: new SqliteNotifierCheckpoint(db), close };
}

/** SMTP when SMTP_URL is set, else `.eml` files in DATA_DIR/outbox. */
export const openMailer = (config: NotificationsConfig): Mailer =>
  config.smtpUrl
    ? new SmtpMailer({ url: config.smtpUrl, pool: config.smtpPool, sendTimeoutMs: config.smtpSendTimeoutMs })
    : new OutboxMailer(join(config.dataDir, 'outbox'));
