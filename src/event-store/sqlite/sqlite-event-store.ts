import Database from 'better-sqlite3';
import { basename, resolve } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import {
  ConcurrencyConflict,
  type AppendResult,
  type Backlog,
  type EventStore,
  type ExpectedRevision,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamGuard,
  type StreamWrite,
  type Subscription,
  type SubscriptionOptions,
} from '../event-store.port';
import { PollingSubscription, type SkippedEvent } from './polling-subscription';
import { AUDIT_FIELDS, type EventRowValues, INSERT_EVENT_SQL, insertEvent, openEventLog } from './sqlite-event-log';
import { toAppendResult } from '../recorded-append';
import { checkWrites } from '../check-writes';
import { checkCount } from '../check-count';
import { LIMIT_PARAMETER } from '../../shared/sqlite-file';
import { SqliteWriteFaults } from '../../shared/sqlite-write-faults';
import { StreamEnds } from './stream-ends';
import { QUERIED_COLUMNS, withFieldsAsQueried } from './audit-fields-as-queried';

export interface SqliteEventStoreOptions {
  /** Database file; its folder must exist. Several processes may open the same file. */
  path: string;
  /** How often caught-up subscriptions look for appends made by other processes (this process's commits wake them). */
  pollIntervalMs?: number;
  /** How many streams' ends the connection remembers, to answer reads past them without a query (stream-ends.ts); 0: none. */
  streamEnds?: number;
  /** The file must exist: a worker thread's connection to the log its process opened (openSqliteFile). */
  existing?: boolean;
  /**
   * How long appends wait for another connection's write lock (another server on the folder, an
   * operator's sqlite3) before they are refused as StoreUnavailable (503); BUSY_TIMEOUT_MS by default.
   */
  lockWaitMs?: number;
  /**
   * The log read whole (readAll) gives the fields the audit trail reads by SQL as SQL reads them
   * (audit-fields-as-queried.ts): the server's check, so that it checks what the trail shows.
   */
  auditFieldsAsQueried?: boolean;
}

/** Counters that make group commit observable. */
export interface SqliteEventStoreStats {
  /** Write transactions committed (one fsync each). */
  commits: number;
  /** append() calls settled by those transactions. */
  appends: number;
}

export interface EventRow {
  position: bigint;
  id: string;
  stream: string;
  revision: bigint;
  type: string;
  schema_version: bigint;
  data: string;
  metadata: string;
}

interface PreparedWrite {
  stream: string;
  expected: ExpectedRevision;
  /** Serialized already, so bad input fails before it reaches the batch. */
  events: EventRowValues[];
}

interface WriteOutcome {
  lastRevision: bigint;
  lastPosition: bigint;
  /** The events were already there: a retry of an append that went through. */
  alreadyRecorded: boolean;
}

/** A write checked and due: its events go after revision `after` (undefined: the stream is new). */
interface PlannedInsert {
  write: PreparedWrite;
  after: bigint | undefined;
}

interface PreparedCall {
  writes: PreparedWrite[];
  guards: readonly StreamGuard[];
}

interface PendingAppend extends PreparedCall {
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** A call's result, and the ends of the streams it wrote new events to (none for a retry of one already recorded). */
type CallOutcome = { result: AppendResult; newEnds: [string, bigint][] } | { error: unknown };

const DEFAULT_POLL_INTERVAL_MS = 100;
const TRANSIENT_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);

/**
 * Embedded event store on one SQLite file. Appends are queued and committed together: every
 * append() arriving before the queue is flushed (same tick, or while the previous commit blocks
 * the event loop) shares one IMMEDIATE transaction and one fsync. A call checks everything before
 * it writes, so a conflict leaves nothing to undo; only a call of several rows writes them inside a
 * savepoint, so that one failing undoes the call and not the batch. While another connection holds
 * the file's write lock the batch waits on the event loop, not in SQLite's busy handler, which
 * would sleep the thread and every request with it: appends made meanwhile join the batch.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly pollIntervalMs: number;
  private readonly auditFieldsAsQueried: boolean;
  private readonly sql: ReturnType<typeof prepareStatements>;
  private readonly commitBatch: (calls: PendingAppend[]) => CallOutcome[];
  private readonly insertInSavepoint: (inserts: PlannedInsert[]) => WriteOutcome[];
  /** A subscriber's page with the types it skips filtered out by the query, in one read transaction. */
  private readonly readFiltered: (after: bigint, limit: number, skipped: ReadonlySet<string>) => Array<RecordedEvent | SkippedEvent>;
  private readonly subscriptions = new Set<PollingSubscription>();
  /** Commits of the connections on this file in this process's threads (the API's, the projector's, the transparency's). */
  private readonly commits: BroadcastChannel;
  private readonly faults: SqliteWriteFaults;
  private readonly ends: StreamEnds;
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly counters: SqliteEventStoreStats = { commits: 0, appends: 0 };

  constructor(options: SqliteEventStoreOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.auditFieldsAsQueried = options.auditFieldsAsQueried ?? false;
    this.db = openEventLog(options.path, options.existing);
    this.faults = new SqliteWriteFaults(this.db, `the event store (${basename(options.path)})`, options.lockWaitMs);
    this.sql = prepareStatements(this.db);
    this.ends = new StreamEnds(this.db, options.streamEnds);
    this.insertInSavepoint = this.db.transaction((inserts: PlannedInsert[]) => inserts.map((insert) => this.insert(insert)));
    this.commitBatch = this.db.transaction((calls: PendingAppend[]) => calls.map((call) => this.settleCall(call))).immediate;
    this.readFiltered = this.db.transaction((after: bigint, limit: number, skipped: ReadonlySet<string>) => this.filteredPage(after, limit, skipped));
    // The worker threads' subscriptions learn of the API's commits at once instead of polling every few ms
    // (their idle polls took 30-50 ms of CPU a second each); unref'd: a store left open keeps no process alive.
    this.commits = new BroadcastChannel(`ztkeys-event-log:${resolve(options.path)}`);
    this.commits.onmessage = () => this.wakeSubscriptions();
    (this.commits as BroadcastChannel & { unref(): void }).unref();
  }

  get stats(): SqliteEventStoreStats {
    return { ...this.counters };
  }

  async append(writes: StreamWrite[], guards: readonly StreamGuard[] = []): Promise<AppendResult> {
    if (this.closed) throw new Error('event store is closed');
    checkWrites(writes);
    const prepared = writes.map(prepareWrite);
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ writes: prepared, guards: [...guards], resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  async readStream(stream: string, fromRevision = 0n, { toPosition, freshSince, maxCount }: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    if (maxCount !== undefined) checkCount('maxCount', maxCount);
    if (this.ends.nothingFrom(stream, fromRevision, freshSince)) return [];
    // -1: SQLite's LIMIT for no limit.
    const limit = maxCount ?? -1;
    if (toPosition !== undefined) return this.read(() => this.readStreamUpTo(stream, fromRevision, toPosition, limit)).map(toRecordedEvent);
    const rows = this.read(() => this.sql.readStream.all(stream, fromRevision, limit) as EventRow[]);
    // A full page may end before the stream does.
    if (maxCount === undefined || rows.length < maxCount) this.ends.read(stream, fromRevision, rows.at(-1)?.revision);
    return rows.map(toRecordedEvent);
  }

  async readAll(after: bigint | undefined, limit: number): Promise<RecordedEvent[]> {
    return this.read(() => this.readBatch(after, limit));
  }

  async backlog(after: bigint | undefined, cap: number): Promise<Backlog> {
    checkCount('cap', cap);
    return this.read(() => {
      const events = Number(this.sql.countAfter.get(after ?? 0n, cap) as bigint);
      const oldestOccurredAt = events === 0 ? undefined : (this.sql.occurredAtAfter.get(after ?? 0n) as string);
      return { events, oldestOccurredAt };
    });
  }

  async eventAt(position: bigint): Promise<RecordedEvent | undefined> {
    const row = this.read(() => this.sql.eventAt.get(position) as EventRow | undefined);
    return row && toRecordedEvent(row);
  }

  async headPosition(): Promise<bigint | undefined> {
    const row = this.read(() => this.sql.headPosition.get() as { position: bigint | null });
    return row.position ?? undefined;
  }

  subscribeToAll(options: SubscriptionOptions): Subscription {
    if (this.closed) throw new Error('event store is closed');
    const reader = { readBatch: this.readBatch.bind(this), isTransient };
    const subscription = new PollingSubscription(reader, options, this.pollIntervalMs);
    this.subscriptions.add(subscription);
    void subscription.finished.then(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    // After a failed write (disk full), rejects with the fault until a probe write goes through.
    this.faults.check();
    try {
      this.sql.ping.get();
      return true;
    } catch {
      return false;
    }
  }

  /** Commits the appends already accepted (once the write lock is free, or refuses them), stops the subscriptions, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.queue.length > 0) await this.flush();
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    this.commits.close();
    this.db.close();
  }

  /** A read can hit the full volume too (the WAL index grows): the same 503 as a write. */
  private read<T>(query: () => T): T {
    try {
      return query();
    } catch (error) {
      throw this.faults.classify(error);
    }
  }

  /**
   * A stream's positions grow with its revisions, so the read stops at its first row past the
   * bound: a filter in the query would still walk the rest of the stream's index (a big org's
   * directory, for each event the notifier plans). Stopped short, it learns nothing of the stream's end.
   */
  private readStreamUpTo(stream: string, fromRevision: bigint, toPosition: bigint, limit: number): EventRow[] {
    const rows: EventRow[] = [];
    for (const row of this.sql.readStream.iterate(stream, fromRevision, limit) as IterableIterator<EventRow>) {
      if (row.position > toPosition) break;
      rows.push(row);
    }
    return rows;
  }

  private readBatch(after: bigint | undefined, limit: number): RecordedEvent[];
  private readBatch(after: bigint | undefined, limit: number, skipped?: ReadonlySet<string>): Array<RecordedEvent | SkippedEvent>;
  private readBatch(after: bigint | undefined, limit: number, skipped?: ReadonlySet<string>): Array<RecordedEvent | SkippedEvent> {
    checkCount('limit', limit);
    // Rowids start at 1, so 0 is before every position.
    if (skipped) return this.readFiltered(after ?? 0n, limit, skipped);
    if (this.auditFieldsAsQueried) {
      const rows = this.sql.readAllAsQueried.all(after ?? 0n, limit) as unknown[][];
      return rows.map((row) => withFieldsAsQueried(fromRawRow(row.slice(0, 8) as RawEventRow), row.slice(8)));
    }
    return (this.sql.readAll.all(after ?? 0n, limit) as RawEventRow[]).map(fromRawRow);
  }

  /**
   * The page of `limit` positions from the first event after `after`, without the rows of the
   * skipped types (about half of a catch-up's log: refused sensitive tasks), then one
   * SkippedEvent at the page's last event counting them. Positions are consecutive rowids, so
   * the page's span less the rows read is how many were skipped (a gap a deleted tail left
   * counts too: it only makes a subscriber's batch end sooner). Called in a read transaction:
   * an append between the queries would otherwise fall inside the page unread.
   */
  private filteredPage(after: bigint, limit: number, skipped: ReadonlySet<string>): Array<RecordedEvent | SkippedEvent> {
    const first = this.sql.firstAfter.get(after) as bigint | undefined;
    if (first === undefined) return [];
    const bound = first + BigInt(limit) - 1n;
    const rows = this.sql.readKept.all(first, bound, JSON.stringify([...skipped])) as RawEventRow[];
    const events: Array<RecordedEvent | SkippedEvent> = rows.map(fromRawRow);
    const [position, id] = this.sql.lastUpTo.get(bound) as [bigint, string];
    const left = Number(position - first + 1n) - rows.length;
    if (left > 0) events.push({ skipped: true, position, id, events: left });
    return events;
  }

  /** Commits the queued appends, and those that join them while another connection holds the write lock. */
  private async flush(): Promise<void> {
    if (this.queue.length === 0) {
      this.flushScheduled = false;
      return;
    }
    let calls: PendingAppend[] = [];
    let outcomes: CallOutcome[] | undefined;
    try {
      // The queue is taken in the same synchronous step as its commit: an append made after it
      // (before this function resumes) starts the next batch rather than joining a committed one.
      outcomes = await this.faults.writeWhenFree(() => {
        if (this.queue.length === 0) return undefined;
        const committed = this.commitBatch(this.queue);
        calls = this.takeQueue();
        return committed;
      });
    } catch (error) {
      // BEGIN or COMMIT failed, or the lock stayed held: nothing of the batch is durable.
      for (const call of this.takeQueue()) call.reject(error);
      return;
    }
    // Another flush (close's) committed the queue first.
    if (outcomes === undefined) return;
    this.counters.commits += 1;
    this.counters.appends += calls.length;
    outcomes.forEach((outcome, i) => {
      if (!('result' in outcome)) return calls[i].reject(outcome.error);
      for (const [stream, lastRevision] of outcome.newEnds) this.ends.wrote(stream, lastRevision);
      calls[i].resolve(outcome.result);
    });
    if (outcomes.some((outcome) => 'result' in outcome)) {
      this.wakeSubscriptions();
      this.commits.postMessage(null);
    }
  }

  /** The queued calls, which this flush settles; appends from now on form the next batch. */
  private takeQueue(): PendingAppend[] {
    const calls = this.queue;
    this.queue = [];
    this.flushScheduled = false;
    return calls;
  }

  private wakeSubscriptions(): void {
    for (const subscription of this.subscriptions) subscription.notify();
  }

  private settleCall(call: PendingAppend): CallOutcome {
    try {
      return this.applyCall(call);
    } catch (error) {
      // Some faults (disk full, I/O) make SQLite roll back the whole transaction, taking the
      // earlier calls of the batch with it: fail the batch rather than report them as written.
      if (!this.db.inTransaction) throw error;
      return { error: this.faults.classify(error) };
    }
  }

  private applyCall({ writes, guards }: PreparedCall): { result: AppendResult; newEnds: [string, bigint][] } {
    // Guards see the streams as they were before this call, inside the write transaction, so no
    // other append can move them before the commit.
    const moved = guards.map((guard) => this.guardConflict(guard)).find((conflict) => conflict !== undefined);
    const planned = writes.map((write) => this.plan(write));
    const recorded = planned.filter((outcome) => 'alreadyRecorded' in outcome).length;
    if (recorded > 0 && recorded < planned.length) {
      throw new Error('append mixes events already recorded with new ones: it is not a retry of one append');
    }
    // A retry of an append that went through keeps its result; a new one needs every guard to hold.
    if (recorded > 0) return { result: toAppendResult(writes, planned as WriteOutcome[]), newEnds: [] };
    if (moved) throw moved;
    const inserts = planned as PlannedInsert[];
    // Everything is checked, so only a failing insert is left to undo. One insert is atomic by itself;
    // a savepoint journals every page it touches (~40 µs a call), so only calls of several rows pay for one.
    const outcomes = inserts.length === 1 && inserts[0].write.events.length === 1 ? [this.insert(inserts[0])] : this.insertInSavepoint(inserts);
    return { result: toAppendResult(writes, outcomes), newEnds: outcomes.map((outcome, i): [string, bigint] => [writes[i].stream, outcome.lastRevision]) };
  }

  private guardConflict(guard: StreamGuard): ConcurrencyConflict | undefined {
    const current = this.currentRevision(guard.stream);
    return isAt(guard.expected, current) ? undefined : new ConcurrencyConflict(guard.stream, guard.expected, current ?? 'no_stream');
  }

  private currentRevision(stream: string): bigint | undefined {
    return (this.sql.currentRevision.get(stream) as { revision: bigint | null }).revision ?? undefined;
  }

  /** Where a write goes, read before anything is written: its events already there (a retry), or after the stream's current revision. */
  private plan(write: PreparedWrite): WriteOutcome | PlannedInsert {
    const current = this.currentRevision(write.stream);
    if (!isAt(write.expected, current)) {
      const original = this.findRecorded(write);
      if (original) return original;
      throw new ConcurrencyConflict(write.stream, write.expected, current ?? 'no_stream');
    }
    if (write.expected === 'any') {
      const original = this.findRecorded(write);
      if (original) return original;
    }
    return { write, after: current };
  }

  private insert({ write, after }: PlannedInsert): WriteOutcome {
    let revision = after ?? -1n;
    let lastPosition = 0n;
    for (const event of write.events) {
      revision += 1n;
      const info = insertEvent(this.sql.insertEvent, write.stream, revision, event);
      lastPosition = BigInt(info.lastInsertRowid);
    }
    return { lastRevision: revision, lastPosition, alreadyRecorded: false };
  }

  /**
   * The outcome of an earlier append of the same events (by id) to the same stream at the place
   * the expectation names, or undefined when they are not all there.
   */
  private findRecorded(write: PreparedWrite): WriteOutcome | undefined {
    let first: bigint | undefined;
    let last: EventRow | undefined;
    for (const [i, event] of write.events.entries()) {
      const row = this.sql.eventById.get(event.id) as EventRow | undefined;
      if (!row || row.stream !== write.stream) return undefined;
      first ??= row.revision;
      if (row.revision !== first + BigInt(i)) return undefined;
      last = row;
    }
    if (first === undefined || last === undefined) return undefined;
    const expectedFirst =
      write.expected === 'no_stream' ? 0n : write.expected === 'any' ? first : write.expected + 1n;
    if (first !== expectedFirst) return undefined;
    return { lastRevision: last.revision, lastPosition: last.position, alreadyRecorded: true };
  }
}

/** An event's columns, in the order of RawEventRow. */
export const EVENT_COLUMNS = 'position, id, stream, revision, type, schema_version, data, metadata';

function prepareStatements(db: Database.Database) {
  const columns = EVENT_COLUMNS;
  return {
    insertEvent: db.prepare(INSERT_EVENT_SQL),
    currentRevision: db.prepare('SELECT max(revision) AS revision FROM events WHERE stream = ?'),
    eventById: db.prepare(`SELECT ${columns} FROM events WHERE id = ?`),
    readStream: db.prepare(`SELECT ${columns} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision ${LIMIT_PARAMETER}`),
    // As arrays: the log's hot read (catch-ups) builds each event once, not a row object first.
    readAll: db.prepare(`SELECT ${columns} FROM events WHERE position > ? ORDER BY position ${LIMIT_PARAMETER}`).raw(),
    readAllAsQueried: db.prepare(`SELECT ${columns}, ${QUERIED_COLUMNS} FROM events WHERE position > ? ORDER BY position ${LIMIT_PARAMETER}`).raw(),
    firstAfter: db.prepare('SELECT position FROM events WHERE position > ? ORDER BY position LIMIT 1').pluck(),
    // The skipped types as a JSON array: one statement whatever the subscriber skips.
    readKept: db.prepare(`SELECT ${columns} FROM events WHERE position BETWEEN ? AND ? AND type NOT IN (SELECT value FROM json_each(?)) ORDER BY position`).raw(),
    lastUpTo: db.prepare('SELECT position, id FROM events WHERE position <= ? ORDER BY position DESC LIMIT 1').raw(),
    // Counts the primary key's range without reading a column: no row is built nor any JSON parsed.
    countAfter: db.prepare(`SELECT count(*) FROM (SELECT 1 FROM events WHERE position > ? ORDER BY position ${LIMIT_PARAMETER})`).pluck(),
    occurredAtAfter: db.prepare(`SELECT ${AUDIT_FIELDS.occurredAt} FROM events WHERE position > ? ORDER BY position LIMIT 1`).pluck(),
    eventAt: db.prepare(`SELECT ${columns} FROM events WHERE position = ?`),
    headPosition: db.prepare('SELECT max(position) AS position FROM events'),
    ping: db.prepare('SELECT 1'),
  };
}

function prepareWrite(write: StreamWrite): PreparedWrite {
  return {
    stream: write.stream,
    expected: write.expected,
    events: write.events.map((event) => ({
      id: event.id,
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: JSON.stringify(event.data),
      metadata: JSON.stringify(event.metadata),
    })),
  };
}

function isAt(expected: ExpectedRevision, current: bigint | undefined): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return current === undefined;
  return current === expected;
}

/** By code, not by class (see isStorageFault). */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && TRANSIENT_CODES.has(code);
}

/** An EventRow's values in the order of EVENT_COLUMNS (a statement's raw() rows). */
export type RawEventRow = [bigint, string, string, bigint, string, bigint, string, string];

export const fromRawRow = (row: RawEventRow): RecordedEvent => recordedOf(row, JSON.parse(row[6]) as Record<string, unknown>);

const recordedOf = <D>([position, id, stream, revision, type, schemaVersion, , metadata]: RawEventRow, data: D) => ({
  id,
  stream,
  revision,
  position,
  type,
  schemaVersion: storedInteger(schemaVersion),
  data,
  metadata: JSON.parse(metadata) as RecordedEvent['metadata'],
});

/** An INTEGER column's value as a number; NaN when the row holds text there (SQLite keeps "0x1" as text), which no reader takes for a version. */
const storedInteger = (value: bigint): number => (typeof (value as unknown) === 'bigint' ? Number(value) : Number.NaN);

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.id,
    stream: row.stream,
    revision: row.revision,
    position: row.position,
    type: row.type,
    schemaVersion: storedInteger(row.schema_version),
    data: JSON.parse(row.data) as Record<string, unknown>,
    metadata: JSON.parse(row.metadata) as RecordedEvent['metadata'],
  };
}
