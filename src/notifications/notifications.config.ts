import { readEnvironment } from '../config/environment';
import type { RetryPolicy } from './queue/email-queue.port';

/** Email settings, from the environment (README lists them). */
export interface NotificationsConfig {
  /** DATA_DIR: the embedded queue (email.sqlite) and the outbox folder live here. */
  dataDir: string;
  /** REDIS_URL: BullMQ on this Redis replaces the embedded queue. */
  redisUrl?: string;
  /** REDIS_KEY_PREFIX: the deployment's namespace in Redis, holding its queue and the notifier's checkpoint. */
  redisKeyPrefix: string;
  /** SMTP_URL: this SMTP server replaces the `.eml` outbox. */
  smtpUrl?: string;
  /** EMAIL_FROM: sender; its domain also ends every Message-ID. */
  from: string;
  /** EMAIL_QUEUE: BullMQ queue name. */
  queueName: string;
  /** EMAIL_ATTEMPTS, EMAIL_BACKOFF_MS: attempt n+1 waits EMAIL_BACKOFF_MS * 2^(n-1) after attempt n failed. */
  retry: RetryPolicy;
  /** EMAIL_LOCK_MS: a job of a worker that died goes back to the queue after this long. */
  lockMs: number;
  /** EMAIL_WORKER_CONCURRENCY: jobs one worker holds at once (sending, or waiting for a pooled connection). */
  concurrency: number;
  /** SMTP_MAX_CONNECTIONS (SMTP connections one worker keeps open) and SMTP_MAX_MESSAGES (sent on one connection before it is renewed). */
  smtpPool: { maxConnections: number; maxMessages: number };
  /** SMTP_SEND_TIMEOUT_MS: one send, from taking a pooled connection to the server's last answer, fails past this. */
  smtpSendTimeoutMs: number;
  /** EMAIL_KEEP_COMPLETED_HOURS: how long delivered jobs are kept (a replayed event within it enqueues nothing). */
  keepCompletedMs: number;
  /** EMAIL_WORKER_METRICS_PORT: when set, `npm run worker` serves /metrics, /health/live and /health/ready there. */
  workerMetricsPort?: number;
}

/** The email settings of the environment (parsed and checked in src/config/environment.ts). */
export function notificationsConfig(env: NodeJS.ProcessEnv = process.env): NotificationsConfig {
  const vars = readEnvironment(env);
  return {
    dataDir: vars.DATA_DIR,
    redisUrl: vars.REDIS_URL,
    redisKeyPrefix: vars.REDIS_KEY_PREFIX,
    smtpUrl: vars.SMTP_URL,
    from: vars.EMAIL_FROM,
    queueName: vars.EMAIL_QUEUE,
    retry: { attempts: vars.EMAIL_ATTEMPTS, backoffMs: vars.EMAIL_BACKOFF_MS },
    lockMs: vars.EMAIL_LOCK_MS,
    concurrency: vars.EMAIL_WORKER_CONCURRENCY,
    smtpPool: { maxConnections: vars.SMTP_MAX_CONNECTIONS, maxMessages: vars.SMTP_MAX_MESSAGES },
    smtpSendTimeoutMs: vars.SMTP_SEND_TIMEOUT_MS,
    keepCompletedMs: vars.EMAIL_KEEP_COMPLETED_HOURS * 3600 * 1000,
    workerMetricsPort: vars.EMAIL_WORKER_METRICS_PORT,
  };
}
