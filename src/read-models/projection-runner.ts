import { versionChanges, type VersionedChange } from '../../projections/document-change';
import type { Projection, ReadModelName } from '../../projections/projection';
import { EVENT_CATALOGUE, type LogEventType } from '../domain/events/event-catalogue';
import type { EventStore, RecordedEvent, Subscription, SubscriptionOptions } from '../event-store/event-store.port';
import { BACKOFF, backoffDelay, type BackoffPolicy } from '../shared/backoff';
import { logDivergence } from '../event-store/log-divergence';
import { StallWatch, type StalledAtEvent } from '../event-store/stalled-at-event';
import type { ModelBatch, ReadModelStore } from './read-model-store.port';

export interface ProjectionRunnerOptions {
  /**
   * Generations to fill, by read model (rebuilds): a model named here stays on that generation.
   * The others follow their active generation and move to a rebuilt one when it is activated.
   */
  generations?: Partial<Record<ReadModelName, number>>;
  /** Most events applied in one store write; a batch also ends whenever the log has nothing more for now. */
  batchSize?: number;
  /** Events in the first full batch, before batchMs has been measured (within batchSize). */
  firstBatchSize?: number;
  /**
   * A store write should hold the event loop about this long: the batch size adapts to it
   * (within batchSize), so that a catch-up in the API's process lets requests in that often
   * (reading and projecting yield every few hundred events; a networked store's writes hardly hold it).
   */
  batchMs?: number;
  /** How often a runner on the active generations looks whether a rebuild switched one. */
  generationCheckMs?: number;
  /** Pauses before resubscribing after failures in a row (store down, say); BACKOFF.projection by default. */
  retry?: BackoffPolicy;
  /** After each batch is applied and checkpointed: the lowest position every read model reached, and the events in the batch. */
  onProgress?: (position: bigint, events: number) => void;
  /**
   * Each failure. A failure of the store (or of the log) stops every read model, a failure of
   * one projection only that one: after a pause of the retry policy the runner resubscribes
   * from the lowest checkpoint, and the models already past an event skip it.
   */
  onError?: (error: unknown) => void;
  /**
   * The log no longer holds the event at a model's checkpoint (head behind it, or another event
   * there): the runner stops feeding that model (resuming would skip events) until another
   * generation of it becomes active, which a rebuild from the log provides. The others go on.
   */
  onDiverged?: (model: ReadModelName, reason: string) => void;
  /**
   * An event this release cannot read (a newer one wrote it): no model may skip it, so the runner
   * retries it after each pause, but says so once (here, instead of onError at each retry).
   */
  onStalled?: (stall: StalledAtEvent) => void;
}

const DEFAULTS = { batchSize: 5000, firstBatchSize: 100, batchMs: 20, generationCheckMs: 1000, retry: BACKOFF.projection as BackoffPolicy };

/**
 * Batches where nothing else waits for the event loop (the projector's worker thread, the
 * rebuild command): 100,000 events each, however long a write takes (no batchMs to aim at: on a
 * loaded machine, writes that took more than 3 s halved the batches: 18-97 instead of 10 over
 * 1,000,000 events at load average 5-11, and 12-33% more CPU, as shorter batches only write their
 * documents again). A document a catch-up changes in many batches is written once
 * per batch (and read back when the cache lost it), so longer batches write fewer rows: a rebuild
 * of 1,000,000 events wrote ~880,000 rows instead of ~1,020,000 with 5,000-event batches (455,296
 * final rows), and starting at 100,000 rather than ramping up from 10,000 took 1 batch instead of 4
 * for 100,000 events (25% less CPU) and 10-11 instead of 13 for 1,000,000 (5% less). The cost is
 * memory (a batch's changes are held until it is written) and a first progress report only after
 * the first full batch, which nothing waits for (a read at the log's head waits for the end anyway).
 */
export const OWN_LOOP_BATCHES = { batchMs: Infinity, batchSize: 100_000, firstBatchSize: 100_000 } as const satisfies Pick<
  ProjectionRunnerOptions,
  'batchMs' | 'batchSize' | 'firstBatchSize'
>;

/** One read model as the runner feeds it. */
interface Lane {
  readonly projection: Projection;
  generation: number;
  /** Last event applied and checkpointed (position and id), undefined before any. */
  applied: bigint | undefined;
  appliedEventId: string | undefined;
  /** Why the log no longer holds the checkpoint: nothing more is applied to this generation. */
  divergence: string | undefined;
  /** Its projection or its write failed: it takes no event until the runner resubscribes. */
  failed: boolean;
  changes: VersionedChange[];
  /** Last event of the batch this model took, undefined when it took none. */
  batchPosition: bigint | undefined;
  batchEventId: string | undefined;
}

/**
 * Keeps read models up to date with one reader: a catch-up subscription to the whole log from
 * the lowest of their checkpoints; each event is decoded once and given to every projection
 * that has not applied it yet. A batch's changes of every model go to the store in one write
 * (one transaction embedded), each model's followed by its own checkpoint. After a crash it
 * resumes from the checkpoints; changes past one that were applied already change nothing again
 * (the store applies a change only to older documents).
 */
export class ProjectionRunner {
  private readonly options: ProjectionRunnerOptions & typeof DEFAULTS;
  private readonly lanes: Lane[];
  private subscription: Subscription | undefined;
  /** Bumped at each (re)subscription: callbacks of an older one ignore themselves. */
  private epoch = 0;
  private batchEvents = 0;
  /** Events in the next full batch: adapts to the time projecting and writing take. */
  private batchLimit: number;
  private writes: Promise<void> = Promise.resolve();
  private flushSoon: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  /** Failures since a batch was last applied: each waits longer under an exponential policy. */
  private failures = 0;
  /** Last position the subscription delivered (to any model or none): how far the others got while a failed model waits. */
  private delivered: bigint | undefined;
  /** The log's head when the failed models' pause first ended: the others are fed up to it before they are fed again. */
  private restartTarget: bigint | undefined;
  private generationWatch: NodeJS.Timeout | undefined;
  private running = false;
  /** A slow store must not pile up generation checks. */
  private checkingGeneration = false;
  /** Says once that the models wait at an event this release cannot read. */
  private readonly stall: StallWatch;

  constructor(
    private readonly events: EventStore,
    private readonly readModels: ReadModelStore,
    projections: readonly Projection[],
    options: ProjectionRunnerOptions = {},
  ) {
    // An option passed as undefined keeps its default.
    this.options = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) };
    this.batchLimit = Math.min(this.options.firstBatchSize, this.options.batchSize);
    this.stall = new StallWatch(options.onStalled);
    this.lanes = projections.map((projection) => ({
      projection,
      generation: 0,
      applied: undefined,
      appliedEventId: undefined,
      divergence: undefined,
      failed: false,
      changes: [],
      batchPosition: undefined,
      batchEventId: undefined,
    }));
  }

  /** Position of the last event applied and checkpointed for every read model, undefined before any. */
  get position(): bigint | undefined {
    return lowest(this.lanes.map((lane) => lane.applied));
  }

  /** Position of the last event applied and checkpointed for one read model. */
  positionOf(model: ReadModelName): bigint | undefined {
    return this.lanes.find((lane) => lane.projection.name === model)?.applied;
  }

  /** Subscribes from the checkpoints; resolves once subscribed. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.subscribe();
    if (this.lanes.some((lane) => this.followsActive(lane))) {
      this.generationWatch = setInterval(() => void this.followActiveGenerations(), this.options.generationCheckMs);
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
    // A write that failed leaves the rest unwritten (none may checkpoint past it): reported, not thrown.
    await this.flush().catch((error: unknown) => this.options.onError?.(error));
  }

  private followsActive(lane: Lane): boolean {
    return this.options.generations?.[lane.projection.name] === undefined;
  }

  private async subscribe(): Promise<void> {
    const epoch = ++this.epoch;
    // A restart still pending belongs to an older subscription: this one reads every checkpoint
    // again, and a model failing in it must be able to schedule its own (laneFailed waits on a pending one).
    clearTimeout(this.retry);
    this.retry = undefined;
    this.restartTarget = undefined;
    this.delivered = undefined;
    this.discardBatch();
    // A write still going checkpoints before the checkpoints are read again.
    await this.writes.catch(() => undefined);
    this.writes = Promise.resolve();
    for (const lane of this.lanes) {
      const pinned = this.options.generations?.[lane.projection.name];
      lane.generation = pinned ?? (await this.readModels.activeGeneration(lane.projection.name));
      const checkpoint = await this.readModels.checkpointEvent(lane.projection.name, lane.generation);
      lane.applied = checkpoint?.position;
      lane.appliedEventId = checkpoint?.eventId;
      lane.failed = false;
      lane.divergence = this.options.onDiverged && (await logDivergence(this.events, checkpoint));
    }
    if (epoch !== this.epoch || !this.running) return;
    for (const lane of this.lanes) if (lane.divergence) this.options.onDiverged?.(lane.projection.name, lane.divergence);
    const fed = this.lanes.filter((lane) => lane.divergence === undefined);
    if (fed.length === 0) return;
    this.subscription = this.events.subscribeToAll({
      after: lowest(fed.map((lane) => lane.applied)),
      handler: (event) => this.handle(epoch, event),
      onError: (error) => this.fail(epoch, error),
      skipping: unprojectedTypes(fed.map((lane) => lane.projection), (position, eventId, events) => this.skip(epoch, position, eventId, events)),
    });
  }

  // Called for every event of a catch-up: loops over the lanes rather than arrays filtered from them.
  private handle(epoch: number, event: RecordedEvent): Promise<void> | undefined {
    if (epoch !== this.epoch) return undefined;
    const { position } = event;
    this.delivered = position;
    let taking = false;
    let projecting = false;
    for (const lane of this.lanes) {
      if (!takes(lane, position)) continue;
      taking = true;
      projecting ||= projects(lane, event);
    }
    if (!taking) return undefined;
    // Before any model takes the event: an undecodable one fails the subscription, not a model.
    const decoded = projecting ? this.stall.decode(event) : undefined;
    for (const lane of this.lanes) {
      if (!takes(lane, position)) continue;
      try {
        if (decoded && projects(lane, event)) for (const versioned of versionChanges(position, lane.projection.project(decoded))) lane.changes.push(versioned);
        lane.batchPosition = position;
        lane.batchEventId = event.id;
      } catch (error) {
        this.laneFailed(epoch, lane, error);
      }
    }
    return this.took(epoch);
  }

  /** Events no fed model makes changes for, up to `position`: each model that has not applied it moves past it. */
  private skip(epoch: number, position: bigint, eventId: string, events: number): Promise<void> | undefined {
    if (epoch !== this.epoch) return undefined;
    this.delivered = position;
    let taking = false;
    for (const lane of this.lanes) {
      if (!takes(lane, position)) continue;
      taking = true;
      lane.batchPosition = position;
      lane.batchEventId = eventId;
    }
    return taking ? this.took(epoch, events) : undefined;
  }

  /**
   * A full batch makes the subscription wait for the store; otherwise the batch is written once
   * the subscription has nothing more to deliver.
   */
  private took(epoch: number, events = 1): Promise<void> | undefined {
    this.batchEvents += events;
    if (this.batchEvents >= this.batchLimit) return this.flush();
    this.flushWhenQuiet(epoch);
    return undefined;
  }

  /**
   * Writes the batch once a timer tick passes without new events. A catch-up delivers the log a
   * chunk at a time with a pause for the event loop in between: its batch fills up to the limit
   * across chunks instead of being written after each.
   */
  private flushWhenQuiet(epoch: number): void {
    // Called for every event: the timer's closure (and the context it captures) is made only when a timer is.
    if (this.flushSoon === undefined) this.flushSoon = this.quietTimer(epoch, this.batchEvents);
  }

  private quietTimer(epoch: number, seen: number): NodeJS.Timeout {
    return setTimeout(() => {
      this.flushSoon = undefined;
      if (epoch !== this.epoch || this.batchEvents === 0) return;
      if (this.batchEvents > seen) return this.flushWhenQuiet(epoch);
      this.flush().catch((error: unknown) => this.fail(epoch, error));
    }, 1);
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
    const written = this.lanes.filter((lane) => lane.batchPosition !== undefined);
    const batches: ModelBatch[] = written.map((lane) => ({
      model: lane.projection.name,
      generation: lane.generation,
      changes: lane.changes,
      checkpoint: lane.batchPosition as bigint,
      checkpointEventId: lane.batchEventId,
    }));
    const { batchEvents } = this;
    const epoch = this.epoch;
    this.discardBatch();
    if (batches.length === 0) return;
    // What the call holds the event loop for: all of an embedded write, little of a networked one.
    const started = performance.now();
    const applying = this.readModels.applyBatches(batches);
    this.adaptBatchLimit(batchEvents, performance.now() - started);
    const failed = await applying;
    if (epoch !== this.epoch) return;
    for (const [i, lane] of written.entries()) {
      const failure = failed.get(lane.projection.name);
      if (failure !== undefined) {
        this.laneFailed(epoch, lane, failure);
        continue;
      }
      lane.applied = batches[i].checkpoint;
      lane.appliedEventId = batches[i].checkpointEventId;
    }
    if (failed.size === 0) this.failures = 0;
    const position = this.position;
    if (position !== undefined) this.options.onProgress?.(position, batchEvents);
    // A catch-up runs in the API's process: let requests in between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Aims the next full batch at batchMs of holding the event loop, moving at most 2x at a time. */
  private adaptBatchLimit(events: number, ms: number): void {
    if (events < this.batchLimit) return;
    const aimed = (events * this.options.batchMs) / Math.max(ms, 0.1);
    this.batchLimit = Math.round(Math.max(10, Math.min(this.options.batchSize, this.batchLimit * 2, Math.max(this.batchLimit / 2, aimed))));
  }

  private discardBatch(): void {
    clearTimeout(this.flushSoon);
    this.flushSoon = undefined;
    this.batchEvents = 0;
    for (const lane of this.lanes) discardLaneBatch(lane);
  }

  /** One read model failed: the others go on; it is fed again from its checkpoint after a pause. */
  private laneFailed(epoch: number, lane: Lane, error: unknown): void {
    lane.failed = true;
    discardLaneBatch(lane);
    this.options.onError?.(error);
    if (this.retry !== undefined || !this.running || epoch !== this.epoch) return;
    this.pauseBeforeRestart(epoch, backoffDelay(this.failures++, this.options.retry));
  }

  private pauseBeforeRestart(epoch: number, ms: number): void {
    this.retry = setTimeout(() => void this.restart(epoch, ms), ms);
  }

  /**
   * Resubscribes from the checkpoints once what the running subscription delivered is written.
   * The new subscription reads the log again from the failed models' checkpoints: the others are
   * first fed up to the log's head as it was when the pause first ended. Cut off at each pause,
   * they would never catch up once reading from those checkpoints to theirs takes longer than it.
   */
  private async restart(epoch: number, pausedMs: number): Promise<void> {
    if (!this.running || epoch !== this.epoch) return;
    if (await this.othersStillCatchingUp()) {
      if (this.running && epoch === this.epoch) this.pauseBeforeRestart(epoch, pausedMs);
      return;
    }
    this.retry = undefined;
    if (!this.running || epoch !== this.epoch) return;
    const previous = this.subscription;
    this.subscription = undefined;
    await previous?.stop();
    await this.flush().catch((error: unknown) => this.options.onError?.(error));
    if (epoch !== this.epoch) return;
    await this.resubscribe();
  }

  private async othersStillCatchingUp(): Promise<boolean> {
    if (this.lanes.every((lane) => lane.failed || lane.divergence !== undefined)) return false;
    // A log that cannot say where its head is fails the resubscription the same way.
    this.restartTarget ??= await this.events.headPosition().catch(() => undefined);
    return this.restartTarget !== undefined && this.delivered !== undefined && this.delivered < this.restartTarget;
  }

  private fail(epoch: number, error: unknown): void {
    if (epoch !== this.epoch || !this.running) return;
    this.epoch += 1;
    this.discardBatch();
    this.writes = Promise.resolve();
    // The stall was said once: its retries are not failures to report again.
    if (!this.stall.said(error)) this.options.onError?.(error);
    void this.subscription?.stop();
    this.subscription = undefined;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.resubscribe();
    }, backoffDelay(this.failures++, this.options.retry));
  }

  private async resubscribe(): Promise<void> {
    if (!this.running) return;
    const epoch = this.epoch;
    await this.subscribe().catch((error: unknown) => this.fail(epoch + 1, error));
  }

  private async followActiveGenerations(): Promise<void> {
    if (!this.running || this.checkingGeneration) return;
    this.checkingGeneration = true;
    try {
      let switched = false;
      for (const lane of this.lanes.filter((l) => this.followsActive(l))) {
        if ((await this.readModels.activeGeneration(lane.projection.name)) !== lane.generation) switched = true;
      }
      if (!this.running) return;
      if (!switched) return await this.watchForDivergence();
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
   * A log that lost its tail while this runner follows it: stop feeding the models whose
   * checkpoint it no longer holds, as at a start on such a log. Still diverged: report again, so
   * a rebuild that failed is tried again.
   */
  private async watchForDivergence(): Promise<void> {
    const { onDiverged } = this.options;
    if (!onDiverged) return;
    for (const lane of this.lanes) {
      if (lane.divergence !== undefined) {
        onDiverged(lane.projection.name, lane.divergence);
        continue;
      }
      if (lane.applied === undefined) continue;
      const divergence = await logDivergence(this.events, { position: lane.applied, eventId: lane.appliedEventId });
      if (divergence === undefined || lane.divergence !== undefined || !this.running) continue;
      lane.divergence = divergence;
      discardLaneBatch(lane);
      onDiverged(lane.projection.name, divergence);
    }
  }
}

/** Whether the model still needs the event: it is fed, and has not applied it. */
const takes = (lane: Lane, position: bigint): boolean =>
  !lane.failed && lane.divergence === undefined && (lane.applied === undefined || position > lane.applied);

/** Whether the model makes changes for events of this type. */
const projects = (lane: Lane, event: RecordedEvent): boolean => lane.projection.types?.has(event.type as LogEventType) ?? true;

function discardLaneBatch(lane: Lane): void {
  lane.changes = [];
  lane.batchPosition = undefined;
  lane.batchEventId = undefined;
}

/** The event types no projection makes changes for: the subscription skips them (none when a projection takes every type). */
function unprojectedTypes(projections: readonly Projection[], skipped: NonNullable<SubscriptionOptions['skipping']>['skipped']): SubscriptionOptions['skipping'] {
  const types = new Set<string>(Object.keys(EVENT_CATALOGUE));
  for (const { types: projected } of projections) {
    if (projected === undefined) return undefined;
    for (const type of projected) types.delete(type);
  }
  return types.size > 0 ? { types, skipped } : undefined;
}

/** The lowest position, undefined (the start of the log) when one is. */
function lowest(positions: ReadonlyArray<bigint | undefined>): bigint | undefined {
  let low: bigint | undefined;
  for (const position of positions) {
    if (position === undefined) return undefined;
    if (low === undefined || position < low) low = position;
  }
  return low;
}
