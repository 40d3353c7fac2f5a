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
 * How often a running process checks its claim: Redis may lose it (flushed, restarted without its
 * append-only file) while the process runs, and another deployment could then start on the prefix.
 */
const CHECK_INTERVAL_MS = 3_000;

/**
 * A deployment's claim on its REDIS_KEY_PREFIX: `{prefix}:deployment` names the first deployment
 * that started on it, with no expiry (a stopped deployment's queue and notifier checkpoint there
 * are still its own). Every process that uses Redis claims it at start, on a connection of its own,
 * and keeps it while it runs: checked every few seconds and as soon as its connection is back, it is
 * claimed again when Redis lost it (with a warning), and another deployment holding it is the end
 * of the claim, as it is at start.
 */
export class RedisPrefixClaim {
  /**
   * Rejects with PrefixOfAnotherDeployment once another deployment holds the prefix, at the start's
   * answer or at any check after (the process must stop), or with Redis's refusal of the first
   * claim; resolves when the claim is closed.
   */
  readonly kept: Promise<void>;
  private readonly firstAnswer: Promise<void>;
  private readonly redis: Redis;
  private readonly key: string;
  private closed = false;
  /** Ends the wait for the next check (the claim closing). */
  private wake?: () => void;

  constructor(
    redisUrl: string,
    private readonly prefix: string,
    private readonly identity: string,
    /** Told when Redis had lost the claim and it was made again. */
    private readonly warn: (message: string) => void,
  ) {
    this.key = redisKeys(prefix).deployment;
    // Commands wait in ioredis's queue while Redis is away, so the claim is made once it is back.
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    // The process's other Redis users warn while it is away; the claim waits in silence.
    this.redis.on('error', () => undefined);
    this.firstAnswer = this.claim().then(
      () => undefined,
      (error: unknown) => {
        if (this.closed) return;
        if (error instanceof PrefixOfAnotherDeployment) throw error;
        throw new StartupError(`REDIS_URL: Redis refused the claim of ${this.key} (${error instanceof Error ? error.message : String(error)})`, { cause: error });
      },
    );
    this.kept = this.firstAnswer.then(() => this.keep()).finally(() => this.disconnect());
    // Whoever runs the process watches `kept`; answeredAtStart reports the first answer's fault.
    this.firstAnswer.catch(() => undefined);
  }

  /**
   * True once the claim is held, false as soon as Redis fails to answer (the start then goes on
   * as it does without Redis, and `kept` rejects later if the prefix is another's); rejects as
   * `kept` does at the first answer.
   */
  answeredAtStart(): Promise<boolean> {
    const unanswered = new Promise<false>((resolve) => this.redis.once('error', () => resolve(false)));
    return Promise.race([this.firstAnswer.then(() => true), unanswered]);
  }

  /** Gives up the claim (the process stops): no more checks, its connection closed. */
  close(): void {
    this.closed = true;
    this.wake?.();
    this.disconnect();
  }

  private disconnect(): void {
    // Closed already, ioredis would wait 2 s on a timer for a 'close' that has passed, holding the process.
    if (this.redis.status !== 'end') this.redis.disconnect();
  }

  /** Checks the claim until it is closed; rejects once another deployment holds it. */
  private async keep(): Promise<void> {
    while (!(await this.untilNextCheck())) {
      let taken: boolean;
      try {
        taken = await this.claim();
      } catch (error) {
        if (error instanceof PrefixOfAnotherDeployment) throw error;
        // Closed, or a refusal Redis's other users report: the next check tries again.
        continue;
      }
      if (taken) this.warn(`Redis lost this deployment's claim of REDIS_KEY_PREFIX ${this.prefix} (${this.key} was gone: Redis flushed, restarted without its append-only file, or the key deleted): claimed it again`);
    }
  }

  /** Waits CHECK_INTERVAL_MS, or until the connection is back after it was lost; true once closed. */
  private untilNextCheck(): Promise<boolean> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.redis.off('ready', done);
        this.wake = undefined;
        resolve(this.closed);
      };
      const timer = setTimeout(done, CHECK_INTERVAL_MS);
      this.redis.once('ready', done);
      this.wake = done;
      if (this.closed) done();
    });
  }

  /** True when this call set the claim, false when it was this deployment's already. */
  private async claim(): Promise<boolean> {
    for (;;) {
      if ((await this.redis.set(this.key, this.identity, 'NX')) === 'OK') return true;
      const held = await this.redis.get(this.key);
      if (held === this.identity) return false;
      if (held !== null) throw new PrefixOfAnotherDeployment(this.prefix, this.key, held, this.identity);
      // Deleted between the two commands (an operator moving the prefix): claim it again.
    }
  }
}
