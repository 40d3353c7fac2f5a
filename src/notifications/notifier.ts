import type { StateCacheLimits } from '../application/stream-states';
import type { EventStore, RecordedEvent, Subscription } from '../event-store/event-store.port';
import { logDivergence, type LogCheckpoint } from '../event-store/log-divergence';
import type { EmailQueue } from './queue/email-queue.port';
import type { NotifierCheckpoint, ParkedEvent } from './checkpoint/notifier-checkpoint.port';
import { UndecodableEvent } from '../domain/events/decode';
import type { EmailJob } from './email-job';
import { EmailJobPlanner } from './email-job-planner';
import { BACKOFF, backoffDelay } from '../shared/backoff';
import { pause } from '../shared/pause';

export interface NotifierOptions {
  events: EventStore;
  queue: Pick<EmailQueue, 'add'>;
  checkpoint: NotifierCheckpoint;
  /** First wait after a failure to plan or enqueue; doubles up to retryCapMs. */
  retryBaseMs?: number;
  retryCapMs?: number;
  /**
   * How long the queue remembers a sent job (EMAIL_KEEP_COMPLETED_HOURS). When the log diverged
   * from the checkpoint the notifier replans from the start of the log; job ids make that send
   * nothing twice for events this recent, and older events are not planned again at all.
   */
  keepCompletedMs?: number;
  /** Bounds of the planner's stream-state cache; its defaults when absent. */
  stateCacheLimits?: StateCacheLimits;
  onError?: (error: unknown) => void;
  /** Told of each event parked, by this run or again at a start (e.g. to log it). */
  onParked?: (parked: ParkedEvent) => void;
}

/** The log line of an event parked, naming its position and type: an error, as its emails wait for a release that reads it. */
export function parkedEventLog({ position, eventId, type, schemaVersion, reason }: ParkedEvent): { fields: Record<string, unknown>; msg: string } {
  return {
    fields: { position: position.toString(), eventId, type, schemaVersion },
    msg: `email notifier parked the event at position ${position} (${type} v${schemaVersion}): ${reason}; the events after it are mailed, and it is planned again at each start (a release that reads it mails it then)`,
  };
}

/**
 * Most events mail nobody, and a checkpoint saved after each was a store write per event of the
 * log. It is saved after every event that queued jobs, and otherwise after SAVE_EVERY events or
 * SAVE_AFTER_MS after the first one left unsaved: the events a crash then replays queued nothing,
 * and planned again they queue nothing either.
 */
const SAVE_EVERY = 1000;
const SAVE_AFTER_MS = 500;

/**
 * Follows the event log and turns R12's events into email jobs (R12: driven by the log, not
 * by the command handler). For each event: plan its jobs, enqueue them, then move the
 * checkpoint past it (saved at once when it queued jobs, see SAVE_EVERY). A crash before the
 * saved checkpoint is past an event replays the event, and the job ids (event id + recipient)
 * make the replay enqueue nothing new. While the queue's store is down the notifier retries the
 * same event: nothing is skipped. An event it cannot plan for (see plan) is parked instead.
 */
export class Notifier {
  private readonly planner: EmailJobPlanner;
  private subscription?: Subscription;
  private stopping = false;
  private readonly abort = new AbortController();
  /** The last event whose jobs are queued, and the last one saved as the checkpoint. */
  private handled?: LogCheckpoint;
  private saved?: LogCheckpoint;
  /** Events handled since the last save. */
  private unsaved = 0;
  private saveTimer?: NodeJS.Timeout;
  /** The save under way: saves run one after another, so the last one issued lands last. */
  private saving: Promise<void> = Promise.resolve();
  /** While replanning after the log diverged from the checkpoint: why, and up to where. */
  private replan: { reason: string; until: bigint } | undefined;
  /** While following the log again from its start after the queue's store lost its data. */
  private restarting?: Promise<void>;
  /** Ids of the events parked, as the store holds them. */
  private readonly parked = new Set<string>();

  constructor(private readonly options: NotifierOptions) {
    this.planner = new EmailJobPlanner(options.events, options.stateCacheLimits);
  }

  async start(): Promise<void> {
    const checkpoint = await this.persistently(() => this.options.checkpoint.load());
    const divergence = await this.persistently(() => (checkpoint ? logDivergence(this.options.events, checkpoint) : this.historyWithoutCheckpoint()));
    await this.planParked();
    if (divergence !== undefined) return this.replanFromStart(divergence);
    if (this.stopping) return;
    this.handled = this.saved = checkpoint;
    this.follow(checkpoint?.position);
  }

  private follow(after: bigint | undefined): void {
    this.subscription = this.options.events.subscribeToAll({ after, handler: (event) => this.handle(event), onError: this.options.onError });
  }

  /** Follows the log from its start, planning again every event the queue may still remember (see forgottenByQueue). */
  private async replanFromStart(reason: string): Promise<void> {
    const head = await this.persistently(() => this.options.events.headPosition());
    this.replan = head === undefined ? undefined : { reason, until: head };
    const forgotten = this.options.keepCompletedMs === undefined ? '' : ', events older than EMAIL_KEEP_COMPLETED_HOURS not mailed again';
    this.options.onError?.(new Error(`email notifier: ${reason}; replanning from the start of the log${forgotten}`));
    if (this.stopping) return;
    this.handled = this.saved = undefined;
    this.follow(undefined);
  }

  /**
   * The store held no checkpoint where this notifier had saved one: it lost its data (Redis
   * flushed, or restarted without its append-only file), the jobs queued then with it. Saving on
   * from memory would leave them lost for good: the log is planned again, as at a start on a store
   * without a checkpoint. Called from a save inside the handler, so the restart waits for it.
   */
  private storeLost(): void {
    const restart = async (): Promise<void> => {
      await this.subscription?.stop();
      if (!this.stopping) await this.replanFromStart("the queue's store lost its data while the notifier ran (its checkpoint is gone)");
    };
    this.restarting ??= restart()
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => (this.restarting = undefined));
  }

  /**
   * Plans again, before following the log, the events parked by an earlier run: a release that
   * reads them now queues their jobs, and forgets them; one that still cannot stays parked.
   */
  private async planParked(): Promise<void> {
    const parked = await this.persistently(() => this.options.checkpoint.parked());
    for (const { eventId } of parked) this.parked.add(eventId);
    for (const { position, eventId } of parked) {
      if (this.stopping) return;
      await this.persistently(async () => {
        const event = await this.options.events.eventAt(position);
        // Not in the log any more (restored from before it): nothing of it to mail.
        const jobs = event?.id === eventId ? await this.plan(event) : [];
        if (jobs === 'parked') return;
        if (jobs.length > 0) await this.options.queue.add(jobs);
        await this.options.checkpoint.unpark(eventId);
        this.parked.delete(eventId);
      });
    }
  }

  /** Events parked now (a gauge): planned again at the next start. */
  get parkedCount(): number {
    return this.parked.size;
  }

  /** Position of the last event whose jobs are queued (lag metrics); undefined before any. */
  get position(): bigint | undefined {
    return this.handled?.position;
  }

  /** Stops following the log and saves where it stands; an event whose jobs are not queued yet is replayed by the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    await this.restarting;
    await this.subscription?.stop();
    await this.save().catch((error: unknown) => this.options.onError?.(error));
  }

  /** Readiness: throws while replanning after the log diverged from the checkpoint. */
  checkReady(): void {
    if (this.replan) throw new Error(`the email notifier: ${this.replan.reason}; replanning from the log`);
  }

  private async handle(event: RecordedEvent): Promise<void> {
    await this.persistently(async () => {
      const planned = this.forgottenByQueue(event) ? [] : await this.plan(event);
      const jobs = planned === 'parked' ? [] : planned;
      if (jobs.length > 0) await this.options.queue.add(jobs);
      this.handled = { position: event.position, eventId: event.id };
      this.unsaved += 1;
      if (jobs.length > 0 || this.unsaved >= SAVE_EVERY) await this.save();
      else this.saveSoon();
    });
    if (this.replan && event.position >= this.replan.until) this.replan = undefined;
  }

  /**
   * Its jobs; or, for an event this release cannot read (nor a stream it folds for it: a newer
   * release wrote them during a rolling upgrade), 'parked', recorded in the checkpoint's store
   * before the checkpoint moves past it. Retrying would read the same record with the same code,
   * for ever, holding back every org's emails: the events after it are planned, and it is planned
   * again at each start. A store that does not answer is no such event: retried, nothing skipped.
   */
  private async plan(event: RecordedEvent): Promise<EmailJob[] | 'parked'> {
    try {
      return await this.planner.jobsFor(event);
    } catch (error) {
      if (!(error instanceof UndecodableEvent)) throw error;
      const parked: ParkedEvent = { position: event.position, eventId: event.id, type: event.type, schemaVersion: event.schemaVersion, reason: error.message };
      await this.options.checkpoint.park(parked);
      this.parked.add(event.id);
      this.options.onParked?.(parked);
      return 'parked';
    }
  }

  /** Saves the last handled event as the checkpoint, once any save under way is done. */
  private save(): Promise<void> {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    this.unsaved = 0;
    const saved = this.saving.then(async () => {
      const handled = this.handled;
      if (handled === undefined || handled === this.saved) return;
      const held = await this.options.checkpoint.save(handled);
      const lost = !held && this.saved !== undefined;
      this.saved = handled;
      if (lost && !this.stopping) this.storeLost();
    });
    this.saving = saved.catch(() => undefined);
    return saved;
  }

  /** Saves a little later, unless a save comes first; a failed save is tried again as late. */
  private saveSoon(): void {
    this.saveTimer ??= setTimeout(() => {
      this.save().catch((error: unknown) => {
        this.options.onError?.(error);
        if (!this.stopping) this.saveSoon();
      });
    }, SAVE_AFTER_MS);
  }

  /**
   * A log that holds events while the queue's store holds no checkpoint: the store is new (moving
   * from the embedded queue to Redis) or lost its data (Redis flushed, or restarted without its
   * append-only file). The log's history was mailed then: it is replanned as after a divergence,
   * so that only events the queue could still remember are mailed, not years of them again.
   */
  private async historyWithoutCheckpoint(): Promise<string | undefined> {
    if ((await this.options.events.headPosition()) === undefined) return undefined;
    return "no checkpoint in the queue's store while the log holds events (a new store, or one that lost its data)";
  }

  /** While replanning: an event older than the queue's memory of sent jobs was planned long ago. */
  private forgottenByQueue(event: RecordedEvent): boolean {
    if (!this.replan || this.options.keepCompletedMs === undefined) return false;
    return Date.parse(event.metadata.occurredAt) < Date.now() - this.options.keepCompletedMs;
  }

  /** Runs `step` until it succeeds, waiting longer after each failure; gives up only when stopped. */
  private async persistently<T>(step: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await step();
      } catch (error) {
        if (this.stopping) throw error;
        this.options.onError?.(error);
        const { retryBaseMs = BACKOFF.notifier.initialMs, retryCapMs = BACKOFF.notifier.maxMs } = this.options;
        await pause(backoffDelay(attempt - 1, { ...BACKOFF.notifier, initialMs: retryBaseMs, maxMs: retryCapMs }), this.abort.signal);
      }
    }
  }

}
