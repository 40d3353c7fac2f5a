/** REDIS_KEY_PREFIX when unset: the names every key had before the setting existed. */
export const DEFAULT_REDIS_KEY_PREFIX = 'ztkeys';

/** Every key (or key prefix) ztkeys writes in Redis, all in one deployment's namespace (README, Environment). */
export interface RedisKeys {
  /** Which deployment the namespace is: the first one to start on it (src/deployment/redis-prefix-claim.ts). */
  deployment: string;
  projectorLease: string;
  requestDeadlinesLease: string;
  /** The orgs whose stored log the self-check last found altered, for the API processes that run no check. */
  tamperedOrgs: string;
  /** Each rate limit's keys are `{rateLimits}:{limit}:{caller}`. */
  rateLimits: string;
  /** The notifier's position in the log, kept beside the queue it feeds. */
  notifierCheckpoint(queueName: string): string;
  /** The events the notifier parked (it could not plan their emails), beside its checkpoint. */
  notifierParked(queueName: string): string;
  /** BullMQ's own prefix: the queue's keys are `{bullmq}:{EMAIL_QUEUE}:*`. */
  bullmq: string;
}

/**
 * The keys of the deployment whose namespace is `prefix`: deployments sharing a Redis server with
 * different prefixes share no key. The default namespace keeps BullMQ's default prefix `bull`, so an
 * upgrade leaves no queued email behind under a name nobody reads.
 */
export function redisKeys(prefix: string): RedisKeys {
  return {
    deployment: `${prefix}:deployment`,
    projectorLease: `${prefix}:lease:projector`,
    requestDeadlinesLease: `${prefix}:lease:request-deadlines`,
    tamperedOrgs: `${prefix}:tampered-orgs`,
    rateLimits: `${prefix}:rate`,
    notifierCheckpoint: (queueName) => `${prefix}:${queueName}:notifier-checkpoint`,
    notifierParked: (queueName) => `${prefix}:${queueName}:notifier-parked`,
    bullmq: prefix === DEFAULT_REDIS_KEY_PREFIX ? 'bull' : `${prefix}:bull`,
  };
}
