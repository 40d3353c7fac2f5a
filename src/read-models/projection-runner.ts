import { versionChanges, type VersionedChange } from '../../projections/document-change';
import { decode } from '../domain/events/decode';
import type { Projection } from '../../projections/projection';
import type { EventStore, RecordedEvent, Subscription } from '../event-store/event-store.port';
import { BACKOFF, backoffDelay, type BackoffPolicy } from '../shared/backoff';
import { logDivergence } from '../event-store/log-divergence';
import type { ReadModelStore } from './read-model-store.port';

export interface ProjectionRunnerOptions {
  /** 'active' (default) follows the active generation and moves to a rebuilt one when it is activated; a number pins one generation (rebuilds). */
  generation?: 'active' | number;
  /** Most events applied in one store write; a batch also ends whenever the log has nothing more for now. */
  batchSize?: number;
  /**
   * A store write should take about this long: the batch size adapts to it (within batchSize),
   * so that a catch-up in the API's process holds the event loop only that long at a time.
   */
  batchMs?: number;
  /** How often a runner on the active generation looks whether a rebuild switched it. */
  generationCheckMs?: number;
  /** Pauses before resubscribing after failures in a row (store down, say); BACKOFF.projection by default. */
  retry?: BackoffPolicy;
  /** After each batch is applied and checkpointed: the position reached and the events in the batch. */
  onProgress?: (position: bigint, events: number) => void;
  /** Each failure; the runner resubscribes from its checkpoint after a pause of its retry policy. */
  onError?: (error: unknown) => void;
  /**
   * The log no longer holds the event at the checkpoint (head behind it, or another event there):
   * the runner stops following this generation (resuming would skip events) and waits for another
   * generation to become active, which a rebuild from the log provides.
   */
  onDiverged?: (reason: string) => void;
}

const DEFAULTS = { batchSize: 5000, batchMs: 20, generationCheckMs: 1000, retry: BACKOFF.projection as BackoffPolicy };

/**
 * Keeps one read model up to date: a catch-up subscription to the whole log from the model's
 * checkpoint; each event's changes go to the store in batches, each batch followed by its
 * checkpoint. After a crash it resumes from the checkpoint; events past it that were applied
 * already change nothing again (the store applies a change only to older documents).
 */
export class ProjectionRunner {
  private readonly options: ProjectionRunnerOptions & typeof DEFAULTS;
  private subscription: Subscription | undefined;
  /** Bumped at each (re)subscription: callbacks of an older one ignore themselves. */
  private epoch = 0;
  private generation = 0;
  private applied: bigint | undefined;
  private appliedEventId: string | undefined;
  /** Why the log no longer holds the checkpoint: nothing more is applied to this generation. */
  private divergence: string | undefined;
  private batch: VersionedChange[] = [];
  private batchEvents = 0;
  private batchPosition: bigint | undefined;
  private batchEventId: string | undefined;
  /** Events in the next full batch: adapts to the time writes take. */
  private batchLimit: number;
  private writes: Promise<void> = Promise.resolve();
  private flushSoon: NodeJS.Immediate | undefined;
  private retry: NodeJS.Timeout | undefined;
  /** Failures since a batch was last applied: each waits longer under an exponential policy. */
  private failures = 0;
  private generationWatch: NodeJS.Timeout | undefined;
  private running = false;
  /** A slow store must not pile up generation checks. */
  private checkingGeneration = false;

  constructor(
    private readonly events: EventStore,
    private readonly readModels: ReadModelStore,
    private readonly projection: Projection,
    options: ProjectionRunnerOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.batchLimit = Math.min(100, this.options.batchSize);
  }

  get name(): string {
    return this.projection.name;
  }

  /** Position of the last event applied and checkpointed by this runner, undefined before any. */
  get position(): bigint | undefined {
    return this.applied;
  }

  /** Subscribes from the checkpoint; resolves once subscribed. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.subscribe();
    if (this.options.generation === undefined || this.options.generation === 'active') {
      this.generationWatch = setInterval(() => void this.followActiveGeneration(), this.options.generationCheckMs);
      this.generationWatch.unref();
    }
  }

  /** Stops the subscription, then applies and checkpoints what it had delivered. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.generationWatch);
    clearTimeout(this.retry);
    await this.subscription?.stop();
    this.subscription = undefined;
    await this.flush();
  }

  private async subscribe(): Promise<void> {
    const epoch = ++this.epoch;
    this.discardBatch();
    this.writes = Promise.resolve();
    const target = this.options.generation ?? 'active';
    this.generation = target === 'active' ? await this.readModels.activeGeneration(this.projection.name) : target;
    const checkpoint = await this.readModels.checkpointEvent(this.projection.name, this.generation);
    this.applied = checkpoint?.position;
    this.appliedEventId = checkpoint?.eventId;
    const divergence = this.options.onDiverged && (await logDivergence(this.events, checkpoint));
    if (epoch !== this.epoch || !this.running) return;
    this.divergence = divergence;
    if (divergence) return this.options.onDiverged?.(divergence);
    this.subscription = this.events.subscribeToAll({
      after: this.applied,
      handler: (event) => this.handle(epoch, event),
      onError: (error) => this.fail(epoch, error),
    });
  }

  private handle(epoch: number, event: RecordedEvent): Promise<void> | undefined {
    if (epoch !== this.epoch) return undefined;
    this.batch.push(...versionChanges(event.position, this.projection.project(decode(event))));
    this.batchEvents += 1;
    this.batchPosition = event.position;
    this.batchEventId = event.id;
    // A full batch makes the subscription wait for the store; otherwise the batch is written
    // once the subscription has nothing more to deliver at once.
    if (this.batchEvents >= this.batchLimit) return this.flush();
    this.flushSoon ??= setImmediate(() => {
      this.flushSoon = undefined;
      this.flush().catch((error: unknown) => this.fail(epoch, error));
    });
    return undefined;
  }

  /**
   * Writes the batch. Writes are serialized so that checkpoints only move forward, and once one
   * fails the later ones fail too: none may checkpoint past events that were not applied.
   */
  private flush(): Promise<void> {
    this.writes = this.writes.then(() => this.writeBatch());
    return this.writes;
  }

  private async writeBatch(): Promise<void> {
    const position = this.batchPosition;
    if (position === undefined) return;
    const { batch, batchEvents, batchEventId } = this;
    const epoch = this.epoch;
    this.discardBatch();
    const started = performance.now();
    await this.readModels.apply(this.projection.name, this.generation, batch, position, batchEventId);
    this.adaptBatchLimit(batchEvents, performance.now() - started);
    if (epoch !== this.epoch) return;
    this.applied = position;
    this.failures = 0;
    this.appliedEventId = batchEventId;
    this.options.onProgress?.(position, batchEvents);
    // A catch-up runs in the API's process: let requests in between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Aims the next full batch at batchMs of writing, moving at most 2x at a time. */
  private adaptBatchLimit(events: number, ms: number): void {
    if (events < this.batchLimit) return;
    const aimed = (events * this.options.batchMs) / Math.max(ms, 0.1);
    this.batchLimit = Math.round(Math.max(10, Math.min(this.options.batchSize, this.batchLimit * 2, Math.max(this.batchLimit / 2, aimed))));
  }

  private discardBatch(): void {
    this.batch = [];
    this.batchEvents = 0;
    this.batchPosition = undefined;
    this.batchEventId = undefined;
  }

  private fail(epoch: number, error: unknown): void {
    if (epoch !== this.epoch || !this.running) return;
    this.epoch += 1;
    this.discardBatch();
    this.writes = Promise.resolve();
    this.options.onError?.(error);
    void this.subscription?.stop();
    this.subscription = undefined;
    this.retry = setTimeout(() => void this.resubscribe(), backoffDelay(this.failures++, this.options.retry));
  }

  private async resubscribe(): Promise<void> {
    if (!this.running) return;
    const epoch = this.epoch;
    await this.subscribe().catch((error: unknown) => this.fail(epoch + 1, error));
  }

  private async followActiveGeneration(): Promise<void> {
    if (!this.running || this.checkingGeneration) return;
    this.checkingGeneration = true;
    try {
      const active = await this.readModels.activeGeneration(this.projection.name);
      if (!this.running) return;
      if (active === this.generation) return await this.watchForDivergence();
      const previous = this.subscription;
      this.subscription = undefined;
      this.epoch += 1;
      await previous?.stop();
      await this.resubscribe();
    } catch (error) {
      this.options.onError?.(error);
    } finally {
      this.checkingGeneration = false;
    }
  }

  /**
   * A log that lost its tail while this runner follows it: stop, as at a start on such a log.
   * Still diverged: report again, so a rebuild that failed is tried again.
   */
  private async watchForDivergence(): Promise<void> {
    if (!this.options.onDiverged) return;
    if (this.divergence !== undefined) return this.options.onDiverged(this.divergence);
    if (this.applied === undefined) return;
    const divergence = await logDivergence(this.events, { position: this.applied, eventId: this.appliedEventId });
    if (divergence === undefined || this.divergence !== undefined || !this.running) return;
    this.divergence = divergence;
    const previous = this.subscription;
    this.subscription = undefined;
    this.epoch += 1;
    await previous?.stop();
    this.discardBatch();
    this.options.onDiverged(divergence);
  }
}
