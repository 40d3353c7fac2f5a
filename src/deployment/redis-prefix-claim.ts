import { Redis } from 'ioredis';
import { redisKeys } from '../config/redis-keys';
import { StartupError } from '../shared/startup-error';

/** Another deployment holds this REDIS_KEY_PREFIX: a process of this one must not start on it. */
export class PrefixOfAnotherDeployment extends StartupError {
  constructor(prefix: string, key: string, held: string, identity: string) {
    super(
      `REDIS_KEY_PREFIX ${prefix} is taken in Redis by another deployment (log key ${held}), not this one (log key ${identity}): give each deployment its own REDIS_KEY_PREFIX; to move the prefix to this deployment, see README (several deployments on one Redis) before deleting ${key}`,
    );
    this.name = 'PrefixOfAnotherDeployment';
  }
}

/** No deployment ever started on this REDIS_KEY_PREFIX: none of this deployment's data is there. */
export class PrefixOfNoDeployment extends StartupError {
  constructor(prefix: string, key: string) {
    super(
      `REDIS_KEY_PREFIX ${prefix} is held by no deployment (${key} is not set): this deployment's server and workers claim the prefix they use at start; run with theirs`,
    );
    this.name = 'PrefixOfNoDeployment';
  }
}

/**
 * Checks that `{prefix}:deployment` names this deployment, without claiming it: for a tool that
 * acts on a deployment's data in Redis (npm run emails) and must not take a namespace for it.
 * Rejects with PrefixOfAnotherDeployment or PrefixOfNoDeployment, or Redis's error.
 */
export async function checkPrefixHeld(redisUrl: string, prefix: string, identity: string): Promise<void> {
  const key = redisKeys(prefix).deployment;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  // Its rejection says it; the connection's own errors would only repeat it.
  redis.on('error', () => undefined);
  let held: string | null;
  try {
    held = await redis.get(key);
  } finally {
    redis.disconnect();
  }
  if (held === null) throw new PrefixOfNoDeployment(prefix, key);
  if (held !== identity) throw new PrefixOfAnotherDeployment(prefix, key, held, identity);
}

/**
 * A deployment's claim on its REDIS_KEY_PREFIX: `{prefix}:deployment` names the first deployment
 * that started on it, with no expiry (a stopped deployment's queue and notifier checkpoint there
 * are still its own). Every process that uses Redis claims it at start, on a connection of its own
 * that it closes once answered.
 */
export class RedisPrefixClaim {
  /**
   * Settles once Redis has answered: resolves when the namespace is this deployment's (or the
   * claim was closed first), rejects with PrefixOfAnotherDeployment when it is another's.
   */
  readonly held: Promise<void>;
  private readonly redis: Redis;
  private closed = false;

  constructor(
    redisUrl: string,
    private readonly prefix: string,
    private readonly identity: string,
  ) {
    // Commands wait in ioredis's queue while Redis is away, so the claim is made once it is back.
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    // The process's other Redis users warn while it is away; the claim waits in silence.
    this.redis.on('error', () => undefined);
    this.held = this.claim().finally(() => this.redis.disconnect());
  }

  /**
   * True once the claim is held, false as soon as Redis fails to answer (the start then goes on
   * as it does without Redis, and `held` settles later); rejects as `held` does.
   */
  answeredAtStart(): Promise<boolean> {
    const unanswered = new Promise<false>((resolve) => this.redis.once('error', () => resolve(false)));
    return Promise.race([this.held.then(() => true), unanswered]);
  }

  /** Gives up a claim Redis has not answered yet (the process stops). */
  close(): void {
    this.closed = true;
    // Once answered, the connection is closed already: ioredis would wait 2 s on a timer for a 'close' that has passed, holding the process.
    if (this.redis.status !== 'end') this.redis.disconnect();
  }

  private async claim(): Promise<void> {
    const key = redisKeys(this.prefix).deployment;
    for (;;) {
      let held: string | null;
      try {
        if ((await this.redis.set(key, this.identity, 'NX')) === 'OK') return;
        held = await this.redis.get(key);
      } catch (error) {
        if (this.closed) return;
        throw new StartupError(`REDIS_URL: Redis refused the claim of ${key} (${error instanceof Error ? error.message : String(error)})`, { cause: error });
      }
      if (held === this.identity) return;
      if (held !== null) throw new PrefixOfAnotherDeployment(this.prefix, key, held, this.identity);
      // Deleted between the two commands (an operator moving the prefix): claim it again.
    }
  }
}
