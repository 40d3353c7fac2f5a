import {
  BACKWARDS,
  END,
  KurrentDBClient,
  STREAM_STATE,
  StreamNotFoundError,
  excludeSystemEvents,
  type AllStreamResolvedEvent,
  type ConsistencyCheck,
  type MultiAppendResult,
  type ReadAllOptions,
  type RecordedEvent as KurrentRecordedEvent,
} from '@kurrent/kurrentdb-client';
import {
  ConcurrencyConflict,
  type AppendResult,
  type Backlog,
  type EventStore,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamGuard,
  type StreamWrite,
  type Subscription,
  type SubscriptionOptions,
} from '../event-store.port';
import { StoreUnavailable } from '../../shared/store-unavailable';
import { BACKOFF, type BackoffPolicy } from '../../shared/backoff';
import { within } from '../../shared/within';
import { kurrentDbClient, normalizeConnectionString } from './kurrentdb-connection-string';
import { isDiscoveryFailure, isTransientKurrentError, toConcurrencyConflict } from './kurrentdb-errors';
import { decodeMetadata, isSystemEvent, toEventData, toRecordedEvent } from './kurrentdb-event-mapping';
import { toPortPosition, toReadPosition } from './kurrentdb-positions';
import { userEventsAfter, type ReadAllEntries } from './kurrentdb-user-events';
import { toActualRevision, toStreamState } from './kurrentdb-stream-state';
import { firstRevisionOf, matchRecordedWrite, toAppendResult, type RecordedWrite } from '../recorded-append';
import { checkWrites } from '../check-writes';
import { checkCount } from '../check-count';
import { ResubscribingSubscription, type LogFeed } from './resubscribing-subscription';
import { missingServerFeatures, type ServerFeaturesSeen } from './kurrentdb-server-features';
import { isRefusedPosition } from './kurrentdb-refused-position';
import { PositionNotInLog } from '../position-not-in-log';

export interface KurrentDbEventStoreOptions {
  /** Wait between resubscriptions after a dropped subscription. */
  resubscribeBackoff?: BackoffPolicy;
  /** Told about each dropped subscription before it resubscribes (default: a process warning). */
  onSubscriptionDropped?: (error: unknown, retryInMs: number) => void;
  /** How long ping() waits for the server before answering false, and a read refused a position for a subscription's answer (subscriptionRefusal). */
  pingTimeoutMs?: number;
}

/** Server-side filter of every $all read: no system events ($-prefixed types). */
const USER_EVENTS = excludeSystemEvents();
const DEFAULT_PING_TIMEOUT_MS = 2_000;
/**
 * Reads are answered by the leader (the client's default lets any node answer): a follower, which
 * EVENTSTORE_URL's nodePreference may pick, lags behind acknowledged appends, and the port's reads
 * hold every append acknowledged before them (a command reads back what it wrote; X-Min-Position
 * compares with the head). On a follower the server refuses with NotLeader and the client moves on
 * to the leader. Subscriptions may follow from any node.
 */
const FROM_LEADER = { requiresLeader: true } as const;

/**
 * Event store on KurrentDB (formerly EventStoreDB) through @kurrent/kurrentdb-client.
 * A write to one stream uses the classic append (any server since EventStoreDB 20.10 that
 * reports $all positions on stream reads, i.e. 22.6+); a write to several streams at once uses
 * the atomic multi-stream append, which needs KurrentDB 25.1 or later; a write with guards uses
 * AppendRecords with consistency checks on streams it does not write, KurrentDB 26.1 or later.
 */
export class KurrentDbEventStore implements EventStore {
  /** Reads and subscriptions. */
  private readonly client: KurrentDBClient;
  /** Appends, on a client of their own: see renewAfterDiscoveryFailure. */
  private writer: KurrentDBClient;
  private readonly connectionString: string;
  private readonly subscriptions = new Set<ResubscribingSubscription>();
  private closed = false;

  constructor(
    connectionString: string,
    private readonly options: KurrentDbEventStoreOptions = {},
  ) {
    this.connectionString = normalizeConnectionString(connectionString);
    this.client = kurrentDbClient(this.connectionString);
    this.writer = kurrentDbClient(this.connectionString);
  }

  /** Set once a server answered with every call ztkeys writes with. */
  private serverChecked: Promise<void> | undefined;

  /** Refuses a server that lacks a call ztkeys writes with (see kurrentdb-server-features.ts); a server away is StoreUnavailable. */
  async checkServer(): Promise<void> {
    let features: ServerFeaturesSeen;
    try {
      // The client keeps what the server told it at its first call behind a protected getter.
      features = await (this.writer as unknown as { capabilities: Promise<ServerFeaturesSeen> }).capabilities;
    } catch (error) {
      throw unavailableIfTransient(error);
    }
    const missing = missingServerFeatures(features);
    if (missing) throw new Error(missing);
  }

  /**
   * The server's calls checked before the first write, for a server that was away at start: an
   * old one then answers each write 503 naming what it lacks (readiness says the store is down),
   * rather than a 500 from the client on every guarded command.
   */
  private checkServerOnce(): Promise<void> {
    this.serverChecked ??= this.checkServer().catch((error: unknown) => {
      this.serverChecked = undefined;
      this.renewAfterDiscoveryFailure(error instanceof StoreUnavailable ? error.cause : error);
      throw error instanceof StoreUnavailable ? error : new StoreUnavailable('the event store (KurrentDB)', error);
    });
    return this.serverChecked;
  }

  async append(writes: StreamWrite[], guards: readonly StreamGuard[] = []): Promise<AppendResult> {
    this.assertOpen();
    checkWrites(writes);
    await this.checkServerOnce();
    try {
      if (guards.length > 0) return await this.appendWithChecks(writes, guards);
      return writes.length === 1 ? await this.appendToOneStream(writes[0]) : await this.appendToStreams(writes);
    } catch (error) {
      const conflict = toConcurrencyConflict(error, [...writes, ...guards]);
      if (!conflict) {
        this.renewAfterDiscoveryFailure(error);
        throw unavailableIfTransient(error);
      }
      // A retry whose first attempt went through (and whose reply was lost) finds its own
      // events where it expected to write them: it gets the first attempt's result.
      const original = await this.findRecordedAppend(writes);
      if (original) return original;
      throw conflict;
    }
  }

  /** Every read asks the server, so it holds every append acknowledged before it: `freshSince` needs nothing more. */
  async readStream(stream: string, fromRevision = 0n, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    if (options.maxCount !== undefined) checkCount('maxCount', options.maxCount);
    return this.readStreamFrom(stream, fromRevision, options.maxCount, options.toPosition);
  }

  async readAll(after: bigint | undefined, limit: number): Promise<RecordedEvent[]> {
    checkCount('limit', limit);
    const events: RecordedEvent[] = [];
    for await (const event of this.userEventsAfter(after, limit)) events.push(toRecordedEvent(event));
    return events;
  }

  /**
   * The server has no count of $all after a position: this reads up to `cap` events and counts
   * them, decoding only the first one's metadata (the client still parses each event's JSON).
   */
  async backlog(after: bigint | undefined, cap: number): Promise<Backlog> {
    checkCount('cap', cap);
    let events = 0;
    let oldestOccurredAt: string | undefined;
    for await (const event of this.userEventsAfter(after, cap)) {
      oldestOccurredAt ??= decodeMetadata(event.metadata, event.id).metadata.occurredAt;
      events++;
    }
    return { events, oldestOccurredAt };
  }

  async eventAt(position: bigint): Promise<RecordedEvent | undefined> {
    try {
      // Reads from the position inclusively: the first user event there or after it.
      for await (const resolved of this.userEntries({ fromPosition: toReadPosition(position), maxCount: 1 })) {
        const event = userEvent(resolved);
        return event?.position === position ? event : undefined;
      }
      return undefined;
    } catch (error) {
      // No record begins there (the middle of an event of a restored older copy of the log): no event is there either.
      if (await this.refusal(position, error)) return undefined;
      throw unavailableIfTransient(error);
    }
  }

  /**
   * The ztkeys events after `after`, as readAll and backlog read them. Where the server refuses to
   * read from `after` (no record begins there), PositionNotInLog rather than a 503 retried for
   * ever: the events after it are those from the next record on, which only a scan of the log
   * from a record before it could find, and only a checkpoint of another copy of the log points
   * there (its consumer's divergence check names it; its readers handle the error).
   */
  private async *userEventsAfter(after: bigint | undefined, limit: number): AsyncGenerator<KurrentRecordedEvent> {
    try {
      yield* userEventsAfter(this.readEntries, after, limit);
    } catch (error) {
      const refused = after === undefined ? undefined : await this.refusal(after, error);
      if (refused && after !== undefined) throw new PositionNotInLog(after, refused);
      throw unavailableIfTransient(error);
    }
  }

  /**
   * The server's refusal to read $all from `position`, when that is what a read failed with;
   * undefined when it failed otherwise. The client's native reader hands a read's refusal (status
   * Unknown) over as an UnavailableError without the server's words, as it does an outage: a read
   * failing so is asked again through a subscription, whose refusal keeps them.
   */
  private async refusal(position: bigint, error: unknown): Promise<Error | undefined> {
    if (isRefusedPosition(error)) return error;
    return isTransientKurrentError(error) ? this.subscriptionRefusal(position) : undefined;
  }

  /**
   * The refusal of a subscription to $all from `position`; undefined when it gets anything else
   * first: an event, caught up, a failure of its own, or no answer within the ping timeout.
   */
  private async subscriptionRefusal(position: bigint): Promise<Error | undefined> {
    const subscription = this.client.subscribeToAll({ fromPosition: toReadPosition(position), filter: USER_EVENTS });
    // Listeners stay until the subscription is gone: a later error must find one (the first answer counts).
    const answer = new Promise<Error | undefined>((resolve) => {
      subscription.on('data', () => resolve(undefined));
      subscription.on('caughtUp', () => resolve(undefined));
      subscription.on('end', () => resolve(undefined));
      subscription.on('error', (error: unknown) => resolve(isRefusedPosition(error) ? error : undefined));
    });
    try {
      return await within(answer, this.options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS).catch(() => undefined);
    } finally {
      await subscription.unsubscribe().catch(() => undefined);
    }
  }

  async headPosition(): Promise<bigint | undefined> {
    for await (const resolved of this.readAllEntries({ direction: BACKWARDS, fromPosition: END })) {
      const event = userEvent(resolved);
      if (event) return event.position;
    }
    return undefined;
  }

  subscribeToAll(options: SubscriptionOptions): Subscription {
    this.assertOpen();
    const subscription = new ResubscribingSubscription((after) => this.openAllFeed(after), options, {
      backoff: this.options.resubscribeBackoff ?? BACKOFF.resubscribe,
      isTransient: isTransientKurrentError,
      onRetry: this.options.onSubscriptionDropped ?? warnDropped,
    });
    this.subscriptions.add(subscription);
    void subscription.finished.then(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    try {
      await within(this.headPosition(), this.options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS);
      return true;
    } catch {
      return false;
    }
  }

  /** Stops the subscriptions (each after its running handler), then closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    await Promise.all([this.client.dispose(), this.writer.dispose()]);
  }

  /**
   * The client keeps a failed discovery as its answer to which calls the server serves, and asks
   * it before every append: it would never look for the cluster again, and writes would stay
   * unavailable after the cluster is back. A new writer asks afresh (the reads' client finds the
   * cluster again by itself, and its subscriptions are left alone).
   */
  private renewAfterDiscoveryFailure(error: unknown): void {
    if (!isDiscoveryFailure(error) || this.closed) return;
    const failed = this.writer;
    this.writer = kurrentDbClient(this.connectionString);
    void failed.dispose().catch(() => undefined);
  }

  private async appendToOneStream(write: StreamWrite): Promise<AppendResult> {
    const result = await this.writer.appendToStream(write.stream, write.events.map(toEventData), {
      streamState: toStreamState(write.expected),
    });
    // Only when the client is configured not to throw on a wrong expected version.
    if (!result.success) {
      throw new ConcurrencyConflict(write.stream, write.expected, toActualRevision(result.nextExpectedRevision));
    }
    const revision = result.nextExpectedRevision;
    const position = result.position
      ? toPortPosition(result.position, write.events[write.events.length - 1].id)
      : await this.positionOf(write.stream, revision);
    return { position, revisions: new Map([[write.stream, revision]]) };
  }

  private async appendToStreams(writes: StreamWrite[]): Promise<AppendResult> {
    const result = await this.writer.multiStreamAppend(
      writes.map((write) => ({
        streamName: write.stream,
        events: write.events.map(toEventData),
        expectedState: toStreamState(write.expected),
      })),
    );
    return toPortResult(result);
  }

  /** One atomic request whose checks cover the written streams' expectations and every guard. */
  private async appendWithChecks(writes: StreamWrite[], guards: readonly StreamGuard[]): Promise<AppendResult> {
    const records = writes.flatMap((write) => write.events.map((event) => ({ streamName: write.stream, record: toEventData(event) })));
    const checks = [...writes, ...guards]
      .filter((expectation) => expectation.expected !== 'any')
      .map((expectation): ConsistencyCheck => ({ type: STREAM_STATE, streamName: expectation.stream, expectedState: toStreamState(expectation.expected) }));
    return toPortResult(await this.writer.appendRecords(records, checks));
  }

  /** The result of an earlier append of exactly these writes, or undefined when it did not happen. */
  private async findRecordedAppend(writes: StreamWrite[]): Promise<AppendResult | undefined> {
    const outcomes: RecordedWrite[] = [];
    for (const write of writes) {
      const first = firstRevisionOf(write.expected);
      if (first === undefined) return undefined;
      const outcome = matchRecordedWrite(write, await this.readStreamFrom(write.stream, first, write.events.length));
      if (!outcome) return undefined;
      outcomes.push(outcome);
    }
    return toAppendResult(writes, outcomes);
  }

  /** Position of one event, for a server reply that carried none. */
  private async positionOf(stream: string, revision: bigint): Promise<bigint> {
    const [event] = await this.readStreamFrom(stream, revision, 1);
    if (!event) throw new Error(`event ${revision} of ${stream} was acknowledged but cannot be read`);
    return event.position;
  }

  private async readStreamFrom(stream: string, fromRevision: bigint, maxCount?: number, toPosition?: bigint): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(stream, { fromRevision, maxCount, ...FROM_LEADER })) {
        if (!resolved.event) continue;
        const event = toRecordedEvent(resolved.event);
        // A stream's events follow the log's order: the first one past the bound ends the read.
        if (toPosition !== undefined && event.position > toPosition) break;
        events.push(event);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw unavailableIfTransient(error);
    }
    return events;
  }

  /** Failing as the client fails: userEventsAfter tells a refused position from an outage. */
  private readonly readEntries: ReadAllEntries = (from, maxCount) => this.userEntries({ fromPosition: toReadPosition(from), maxCount });

  /** $all without system events, failing as the client fails. */
  private userEntries(options: Omit<ReadAllOptions, 'filter'>): AsyncIterable<AllStreamResolvedEvent> {
    return this.client.readAll({ ...options, filter: USER_EVENTS, ...FROM_LEADER });
  }

  /** $all without system events; a server away is an outage (503), as for every other call. */
  private async *readAllEntries(options: Omit<ReadAllOptions, 'filter'>): AsyncGenerator<AllStreamResolvedEvent> {
    try {
      yield* this.userEntries(options);
    } catch (error) {
      throw unavailableIfTransient(error);
    }
  }

  /**
   * A catch-up subscription to $all, read by pulling (for await), never by a 'data' handler. A
   * position the server refuses to read from ends it (PositionNotInLog): resubscribing there
   * would be refused for ever, and the subscriber's check of its checkpoint (logDivergence) names why.
   */
  private openAllFeed(after: bigint | undefined): LogFeed {
    const subscription = this.client.subscribeToAll({ fromPosition: toReadPosition(after), filter: USER_EVENTS });
    let closing: Promise<void> | undefined;
    return {
      async *[Symbol.asyncIterator]() {
        try {
          for await (const resolved of subscription) {
            const event = userEvent(resolved);
            if (event) yield event;
          }
        } catch (error) {
          throw after !== undefined && isRefusedPosition(error) ? new PositionNotInLog(after, error) : error;
        }
      },
      close: () => (closing ??= subscription.unsubscribe()),
    };
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('event store is closed');
  }
}

/** An atomic append's result as the port reports it. */
function toPortResult(result: MultiAppendResult): AppendResult {
  const revisions = new Map<string, bigint>();
  for (const response of result.responses) revisions.set(response.streamName, response.revision);
  return { position: result.position, revisions };
}

/** The ztkeys event of a $all entry, or undefined for a system event. */
function userEvent(resolved: AllStreamResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event || isSystemEvent(event)) return undefined;
  return toRecordedEvent(event);
}

function warnDropped(error: unknown, retryInMs: number): void {
  process.emitWarning(`event-store subscription dropped (${String(error)}); resubscribing in ${Math.round(retryInMs)} ms`);
}

/** A server away, restarting or changing leader is an outage (503), not a bug. */
const unavailableIfTransient = (error: unknown): unknown =>
  isTransientKurrentError(error) ? new StoreUnavailable('the event store (KurrentDB)', error) : error;
