import cluster from 'node:cluster';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { AppConfig, RateLimitName } from '../config/app-config';
import { onChannel, sendToPrimary, sendToWorker } from './cluster-ipc';
import type { Limiter } from './fallback-limiter';

/** The IPC messages of the rate limits, told from the cluster's own and the export places' by their channel. */
const CHANNEL = 'ztkeys_rate_limits';

/** What a worker asks of a limit: the three operations RateLimits uses. */
export type LimitOperation = 'consume' | 'reward' | 'get';

/** One call: its id in the worker, the limit, the operation and the caller's key. */
type Call = [id: number, limit: RateLimitName, operation: LimitOperation, key: string];
/** One answer: the call's id, whether it resolved, and the limiter's state (null: `get` of an unknown key). */
type Answer = [id: number, resolved: boolean, state: RateLimiterState | null];
type RateLimiterState = Pick<RateLimiterRes, 'remainingPoints' | 'msBeforeNext' | 'consumedPoints' | 'isFirstInDuration'>;

export interface CallsMessage {
  channel: typeof CHANNEL;
  calls: Call[];
}
export interface AnswersMessage {
  channel: typeof CHANNEL;
  answers: Answer[];
}

const isOurs = onChannel(CHANNEL);

/** Each limit counted in this process's memory (each limiter keeps its own store): the primary's count, or a process's own. */
export const memoryLimiters = (rates: AppConfig['rateLimits']): Record<RateLimitName, RateLimiterMemory> =>
  Object.fromEntries(Object.entries(rates).map(([name, { points, seconds }]) => [name, new RateLimiterMemory({ points, duration: seconds })])) as Record<RateLimitName, RateLimiterMemory>;

const stateOf = (outcome: unknown): RateLimiterState | null =>
  outcome instanceof RateLimiterRes
    ? { remainingPoints: outcome.remainingPoints, msBeforeNext: outcome.msBeforeNext, consumedPoints: outcome.consumedPoints, isFirstInDuration: outcome.isFirstInDuration }
    : null;

/**
 * The primary's side: runs a worker's calls, in the order sent, on the cluster's one count of each
 * limit, and answers them all in one message once every one is settled.
 */
export async function answerCalls(limiters: Record<RateLimitName, RateLimiterMemory>, message: CallsMessage): Promise<AnswersMessage> {
  const answers = await Promise.all(
    message.calls.map(([id, limit, operation, key]): Promise<Answer> =>
      limiters[limit][operation](key).then(
        (state) => [id, true, stateOf(state)],
        (refusal) => [id, false, stateOf(refusal)],
      ),
    ),
  );
  return { channel: CHANNEL, answers };
}

/** In the cluster's primary, before the workers are forked: counts every worker's requests against one budget per limit. */
export function countRateLimitsForWorkers(rates: AppConfig['rateLimits']): void {
  const limiters = memoryLimiters(rates);
  cluster.on('message', (worker, message: CallsMessage) => {
    if (!isOurs(message)) return;
    void answerCalls(limiters, message).then((answers) => sendToWorker(worker, answers));
  });
}

interface Waiting {
  resolve: (state: RateLimiterRes | null) => void;
  reject: (reason: unknown) => void;
}

/**
 * A worker's line to the primary's count. The calls made in one turn of the event loop (under
 * load, those of every request that turn brought) travel in one message and come back in one: an
 * IPC round trip costs both processes far more than counting, and a signed task spends four limits.
 * A batch the primary has not answered within `timeoutMs` is rejected, so each call falls back to
 * the worker's own count and nothing waits on for an answer that may never come.
 */
export class PrimaryLimitsLine {
  private readonly waiting = new Map<number, Waiting>();
  private batch: Call[] = [];
  private nextId = 0;

  constructor(
    private readonly timeoutMs: number,
    private readonly send: (message: CallsMessage) => void = sendToPrimary,
  ) {}

  /** Hands the primary's answers to their calls; messages of other channels are ignored. */
  receive(message: unknown): void {
    if (!isOurs(message)) return;
    for (const [id, resolved, state] of (message as AnswersMessage).answers) {
      const waiting = this.waiting.get(id);
      if (!waiting) continue; // answered after its batch timed out: the worker counted it already
      this.waiting.delete(id);
      const res = state && new RateLimiterRes(state.remainingPoints, state.msBeforeNext, state.consumedPoints, state.isFirstInDuration);
      if (resolved) waiting.resolve(res);
      else waiting.reject(res);
    }
  }

  call(limit: RateLimitName, operation: LimitOperation, key: string): Promise<RateLimiterRes | null> {
    const id = this.nextId++;
    if (this.batch.length === 0) setImmediate(() => this.flush());
    this.batch.push([id, limit, operation, key]);
    return new Promise((resolve, reject) => this.waiting.set(id, { resolve, reject }));
  }

  /** Calls still waiting for the primary (none once it answered, or once their batch timed out). */
  get unanswered(): number {
    return this.waiting.size;
  }

  private flush(): void {
    const calls = this.batch;
    this.batch = [];
    this.send({ channel: CHANNEL, calls });
    setTimeout(() => {
      for (const [id] of calls) {
        const waiting = this.waiting.get(id);
        if (!waiting) continue;
        this.waiting.delete(id);
        waiting.reject(new Error(`the cluster's primary did not count within ${this.timeoutMs} ms`));
      }
    }, this.timeoutMs).unref();
  }
}

let line: PrimaryLimitsLine | undefined;

/** This worker's one line to the primary, listening for its answers from the first call on. */
export function primaryLimitsLine(timeoutMs: number): PrimaryLimitsLine {
  if (line) return line;
  const created = new PrimaryLimitsLine(timeoutMs);
  process.on('message', (message) => created.receive(message));
  return (line = created);
}

/**
 * One limit counted by the primary for the whole cluster. A call the primary does not answer in time
 * fails (an Error, not a refusal): RateLimits then counts it in the worker's own memory
 * (FallbackLimiter), as a limit kept in a silent Redis is.
 */
export class ClusterLimiter implements Limiter {
  constructor(
    private readonly limit: RateLimitName,
    private readonly primary: PrimaryLimitsLine,
  ) {}

  consume(key: string | number): Promise<RateLimiterRes> {
    return this.primary.call(this.limit, 'consume', String(key)) as Promise<RateLimiterRes>;
  }

  reward(key: string | number): Promise<RateLimiterRes> {
    return this.primary.call(this.limit, 'reward', String(key)) as Promise<RateLimiterRes>;
  }

  get(key: string | number): Promise<RateLimiterRes | null> {
    return this.primary.call(this.limit, 'get', String(key));
  }
}
