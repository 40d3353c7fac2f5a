/**
 * The event store port. Adapters: embedded SQLite (default) and EventStoreDB/KurrentDB.
 * Revisions count events inside one stream from 0; positions order every event of the log.
 * Both are bigint because EventStoreDB's are 64-bit unsigned and exceed 2^53.
 */

/** Metadata every event carries (R13). */
export interface EventMetadata {
  /** agentId of the caller, or "operator" for the bootstrap token. */
  actor: string;
  orgId: string;
  /** ISO-8601 UTC time, taken from the command. */
  occurredAt: string;
  correlationId: string;
  causationId: string;
}

/**
 * An event's type and data as the store keeps them. Adapters store and return these untouched;
 * consumers decode them once into the domain's events (src/domain/events/decode.ts).
 */
export interface StoredEvent {
  type: string;
  data: Record<string, unknown>;
}

/** What the envelope adds to an event when it is written. */
export interface NewEventEnvelope {
  /** UUIDv7: unique and time-ordered; passing the same id twice makes a retried append idempotent. */
  id: string;
  schemaVersion: number;
  metadata: EventMetadata;
}

/** What the store adds when it records an event. */
export interface RecordedEnvelope extends NewEventEnvelope {
  stream: string;
  revision: bigint;
  position: bigint;
}

/** An event to append: raw by default, or a typed domain event in its envelope. */
export type NewEvent<E extends StoredEvent = StoredEvent> = E & NewEventEnvelope;

/** An event as the log holds it: raw as adapters return it, typed once decoded. */
export type RecordedEvent<E extends StoredEvent = StoredEvent> = E & RecordedEnvelope;

/** What the stream must look like for the write to go through. */
export type ExpectedRevision = 'no_stream' | 'any' | bigint;

export interface StreamWrite {
  stream: string;
  expected: ExpectedRevision;
  events: NewEvent[];
}

/**
 * A stream a decision read but does not write: the append goes through only if the stream is
 * still at `expected`, so a fact from another stream (a role, an ACTIVE key) still holds at the
 * position where the decision is recorded (R17). It checks and writes nothing.
 */
export interface StreamGuard {
  stream: string;
  expected: ExpectedRevision;
}

export interface AppendResult {
  /** Global position of the last event written. */
  position: bigint;
  /** Next expected revision of each stream written, by stream name (a Map: an object would take a hidden class per new stream name). */
  revisions: ReadonlyMap<string, bigint>;
}

/** Thrown when a stream is not at the expected revision; nothing was written. */
export class ConcurrencyConflict extends Error {
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | 'no_stream',
  ) {
    super(`stream ${stream} is at ${String(actual)}, expected ${String(expected)}`);
    this.name = 'ConcurrencyConflict';
  }
}

/** What a reader at some position has left to read: counted, not read. */
export interface Backlog {
  /** Events after the position, counted up to the cap asked for. */
  events: number;
  /** When the first of them occurred (metadata.occurredAt); undefined when there is none. */
  oldestOccurredAt: string | undefined;
}

export interface Subscription {
  /** Stops delivery; resolves once the handler is no longer running. */
  stop(): Promise<void>;
}

export interface SubscriptionOptions {
  /** Deliver events after this position (exclusive); undefined = from the start of the log. */
  after?: bigint;
  /** Called once per event, in log order; the next one waits for the returned promise. */
  handler: (event: RecordedEvent) => Promise<void> | void;
  /** Called when the subscription gives up (the adapter retries transient faults itself). */
  onError?: (error: unknown) => void;
  /**
   * Events of these types never reach `handler`: `skipped` tells the subscriber how far the log has
   * been read past them, so it still moves past them. Each call names a position (and the id of
   * the event there) at or after every event handed over before it and before every one handed
   * over after it, and how many skipped events it stands for that no earlier call counted. An
   * adapter calls it for each such event in its place in log order, or, when it filters them out
   * in its read (their rows never read), once per page it read, at the page's last event. The
   * subscriber names the types it does not need, so an event of a type it does not know still
   * reaches `handler`.
   */
  skipping?: { types: ReadonlySet<string>; skipped: (position: bigint, eventId: string, events: number) => Promise<void> | void };
}

/** How `readStream` reads a stream. */
export interface ReadStreamOptions {
  /** Only the events at or before this log position: a reader of the past folding on from a state it holds. */
  toPosition?: bigint;
  /**
   * An instant of this thread's `performance.now()` before which the reader had not yet begun (a
   * command's attempt): the read holds every append acknowledged before it, by any process, and may
   * leave out later ones, which the expected revisions of the reader's own append then catch.
   * Without it, the read holds every append acknowledged before the call.
   */
  freshSince?: number;
  /** At most this many events, the first from `fromRevision`: a reader folding a long stream a page at a time. */
  maxCount?: number;
}

export interface EventStore {
  /**
   * Appends to one or more streams atomically: either every write goes through or none
   * does (ConcurrencyConflict). Events of one call get consecutive positions in call order.
   * Every guard is checked in the same transaction: a guarded stream that moved is a
   * ConcurrencyConflict naming it, and nothing is written. A retry of an append that went
   * through returns its original result whatever its guards say now.
   */
  append(writes: StreamWrite[], guards?: readonly StreamGuard[]): Promise<AppendResult>;

  /** Events of one stream from a revision (inclusive), in order, as `options` bound them. Empty when the stream does not exist. */
  readStream(stream: string, fromRevision?: bigint, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /**
   * Up to `limit` events of the global log after `after` (exclusive), in log order: fewer only
   * where the log ends, which its readers take a short page for. Where no event is at `after`,
   * the events after it; except that a store refusing to read from where no record of its log
   * begins (KurrentDB, inside a record) rejects with PositionNotInLog (position-not-in-log.ts):
   * finding the next record would take a scan of the log, and only a checkpoint of another copy
   * of the log points there, whose reader handles the error (its divergence is named elsewhere).
   */
  readAll(after: bigint | undefined, limit: number): Promise<RecordedEvent[]>;

  /**
   * How many events follow `after` (exclusive; undefined = the whole log), counted up to `cap`,
   * and when the first of them occurred. No event is decoded: a metrics scrape measures every
   * subscriber's lag with it, on the API's thread. A position no event is at: as for readAll.
   */
  backlog(after: bigint | undefined, cap: number): Promise<Backlog>;

  /** The event at exactly this position, undefined when there is none: consumers check their checkpoint is still the event they applied. */
  eventAt(position: bigint): Promise<RecordedEvent | undefined>;

  /** Position of the last event in the log, undefined when the log is empty. */
  headPosition(): Promise<bigint | undefined>;

  /** Catch-up subscription to the whole log: past events, then live ones as they are appended. */
  subscribeToAll(options: SubscriptionOptions): Subscription;

  /** True when the store answers (readiness); rejects with the reason when it knows one (a write failed: disk full). */
  ping(): Promise<boolean>;

  close(): Promise<void>;
}

/** Nest injection token of the event store. */
export const EVENT_STORE = Symbol('EVENT_STORE');
