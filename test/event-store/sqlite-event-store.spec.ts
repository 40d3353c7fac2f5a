import Database from 'better-sqlite3';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ConcurrencyConflict, type RecordedEvent } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { openEventLog } from '../../src/event-store/sqlite/sqlite-event-log';
import { WatchedChild } from '../support/watched-child';
import { withDeadline } from '../support/with-deadline';
import { describeEventStoreContract } from './event-store.contract';
import { newEvent, uniqueStream } from './event-factory';
import type { ContendReport } from './fixtures/event-store-process';

const dir = mkdtempSync(join(tmpdir(), 'ztkeys-es-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
const freshPath = (): string => join(dir, `store-${++files}.db`);
const open = (path: string): SqliteEventStore => new SqliteEventStore({ path, pollIntervalMs: 20 });

describeEventStoreContract('SQLite', async () => open(freshPath()));

const REGISTER_TS = join(__dirname, '../../scripts/register-ts.js');
const FIXTURE = join(__dirname, 'fixtures/event-store-process.ts');

/**
 * A child process on the store file, with its IPC messages queued for `next`; `next` and `exited`
 * are bounded, their errors saying what was waited for, how many messages came, and its last lines.
 */
function spawnStoreProcess(mode: string, path: string, ...args: (string | number)[]) {
  const watched = new WatchedChild(
    fork(FIXTURE, [mode, path, ...args.map(String)], { execArgv: ['--require', REGISTER_TS], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }),
    `the ${mode} store process`,
  );
  const { child } = watched;
  const queued: unknown[] = [];
  let received = 0;
  let wakeReader = (): void => undefined;
  child.on('message', (message) => {
    queued.push(message);
    received++;
    wakeReader();
  });
  void watched.exited.then(() => wakeReader());
  async function nextMessage<T>(): Promise<T> {
    while (queued.length === 0) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${watched.name} exited before its message #${received + 1}: ${watched.describe()}`);
      await new Promise<void>((resolve) => (wakeReader = resolve));
    }
    return queued.shift() as T;
  }
  /** Its next message (`what` it is), or once 20 s pass an error, and it is killed (a fork compiles TypeScript as it starts). */
  async function next<T>(what: string): Promise<T> {
    try {
      return await withDeadline(`${watched.name}'s message #${received + 1} (${what})`, 20_000, nextMessage<T>(), () => `${received} came; ${watched.describe()}`);
    } catch (error) {
      await watched.stop();
      throw error;
    }
  }
  return { child, next, exited: () => watched.exitWithin(15_000) };
}

/** Every event of the log, in order. */
async function readWholeLog(store: SqliteEventStore): Promise<RecordedEvent[]> {
  const log: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll(log.at(-1)?.position, 500);
    if (page.length === 0) return log;
    log.push(...page);
  }
}

/** Positions strictly increase, ids are unique, and each stream counts 0, 1, 2, ... */
function expectConsistentLog(log: RecordedEvent[]): void {
  log.slice(1).forEach((event, i) => expect(event.position).toBeGreaterThan(log[i].position));
  expect(new Set(log.map((event) => event.id)).size).toBe(log.length);
  const nextRevision = new Map<string, bigint>();
  for (const event of log) {
    expect(event.revision).toBe(nextRevision.get(event.stream) ?? 0n);
    nextRevision.set(event.stream, event.revision + 1n);
  }
}

describe('SqliteEventStore', () => {
  describe('group commit', () => {
    it('commits concurrent appends in one transaction, each call settling on its own', async () => {
      const store = open(freshPath());
      const taken = uniqueStream('taken');
      await store.append([{ stream: taken, expected: 'no_stream', events: [newEvent()] }]);
      const before = store.stats;

      const calls = Array.from({ length: 200 }, (_, i) =>
        i % 20 === 0
          ? store.append([{ stream: taken, expected: 'no_stream', events: [newEvent()] }])
          : store.append([{ stream: uniqueStream('grouped'), expected: 'no_stream', events: [newEvent()] }]),
      );
      const settled = await Promise.allSettled(calls);

      expect(store.stats).toEqual({ commits: before.commits + 1, appends: before.appends + 200 });
      settled.forEach((outcome, i) => {
        if (i % 20 === 0) expect(outcome.status === 'rejected' && outcome.reason instanceof ConcurrencyConflict).toBe(true);
        else expect(outcome.status).toBe('fulfilled');
      });
      const positions = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value.position] : []));
      expect(new Set(positions).size).toBe(190);
      const log = await readWholeLog(store);
      expect(log).toHaveLength(191);
      expectConsistentLog(log);
      await store.close();
    });

    it('undoes only the failing call of a batch, several rows or one, with nothing of it left', async () => {
      const store = open(freshPath());
      const recorded = newEvent();
      await store.append([{ stream: uniqueStream('first'), expected: 'no_stream', events: [recorded] }]);
      const head = await store.headPosition();
      // Checks pass, then an insert fails: the event id is already in the log, in another stream.
      const severalRows = { stream: uniqueStream('several'), expected: 'no_stream' as const, events: [newEvent()] };
      const reused = { stream: uniqueStream('reused'), expected: 'no_stream' as const, events: [newEvent(), { ...recorded }] };
      const oneRow = { stream: uniqueStream('one'), expected: 'no_stream' as const, events: [{ ...recorded }] };
      const fine = [uniqueStream('fine'), uniqueStream('fine')];

      const settled = await Promise.allSettled([
        store.append([{ stream: fine[0], expected: 'no_stream', events: [newEvent()] }]),
        store.append([severalRows, reused]),
        store.append([oneRow]),
        store.append([{ stream: fine[1], expected: 'no_stream', events: [newEvent()] }]),
      ]);

      expect(settled.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
      const log = await readWholeLog(store);
      expect(log.filter((event) => event.position > head!).map((event) => event.stream)).toEqual(fine);
      expectConsistentLog(log);
      await store.close();
    });

    it('commits appends awaited one after another separately', async () => {
      const store = open(freshPath());
      const stream = uniqueStream('sequential');
      for (let i = 0; i < 3; i++) {
        await store.append([{ stream, expected: i === 0 ? 'no_stream' : BigInt(i - 1), events: [newEvent()] }]);
      }
      expect(store.stats).toEqual({ commits: 3, appends: 3 });
      await store.close();
    });
  });

  it('appends every event whatever its time or data; as_stored marks those the audit export copies as stored', async () => {
    const path = freshPath();
    const store = open(path);
    const at = (occurredAt: string, data: unknown = {}) => {
      const event = newEvent('Tested', data as Record<string, unknown>);
      return { ...event, metadata: { ...event.metadata, occurredAt } };
    };
    const events = [
      at('2024-02-29T23:59:59.999Z'),
      at('2026-02-30T00:00:00.000Z'), // a day that does not exist: a Date moves it to March
      at('2026-01-01T00:00:00Z'), // not toISOString's form
      at('now'), // strftime refuses it in a generated column: never read by it
      at('2026-01-01T00:00:00.000Z', [1]),
    ];
    await store.append([{ stream: uniqueStream('as-stored'), expected: 'no_stream', events }]);
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT id, as_stored FROM events ORDER BY position').raw().all()).toEqual(events.map((event, i) => [event.id, i === 0 ? 1 : 0]));
    db.close();
  });

  describe("reads past a stream's end, answered from what the connection knows", () => {
    it("sees another connection's commit at once, be it another store or a bare connection", async () => {
      const path = freshPath();
      const [mine, theirs] = [open(path), open(path)];
      const stream = uniqueStream('ends');
      await mine.append([{ stream, expected: 'no_stream', events: [newEvent()] }]);
      expect(await mine.readStream(stream, 1n)).toEqual([]);
      const added = newEvent();
      await theirs.append([{ stream, expected: 0n, events: [added] }]);
      expect((await mine.readStream(stream, 1n)).map((event) => event.id)).toEqual([added.id]);
      expect(await mine.readStream(stream, 2n)).toEqual([]);
      const bare = new Database(path);
      bare.prepare("INSERT INTO events (id, stream, revision, type, schema_version, data, metadata) VALUES ('bare', ?, 2, 'Tested', 1, '{}', '{}')").run(stream);
      bare.close();
      expect((await mine.readStream(stream, 2n)).map((event) => event.id)).toEqual(['bare']);
      await Promise.all([mine.close(), theirs.close()]);
    });

    it("checks for another connection's commits once for the reads of one attempt, and sees those acknowledged before it began", async () => {
      const path = freshPath();
      const [mine, theirs] = [open(path), open(path)];
      const stream = uniqueStream('fresh-since');
      await mine.append([{ stream, expected: 'no_stream', events: [newEvent()] }]);
      const attempt = performance.now();
      expect(await mine.readStream(stream, 1n, { freshSince: attempt })).toEqual([]);
      const added = newEvent();
      await theirs.append([{ stream, expected: 0n, events: [added] }]);
      // Committed after the attempt's check: the attempt may go on without it (its append's expected revision would conflict).
      expect(await mine.readStream(stream, 1n, { freshSince: attempt })).toEqual([]);
      // Acknowledged before the next attempt, or a read without `freshSince`, began: both hold it.
      expect((await mine.readStream(stream, 1n, { freshSince: performance.now() })).map((event) => event.id)).toEqual([added.id]);
      await theirs.append([{ stream, expected: 1n, events: [newEvent()] }]);
      expect(await mine.readStream(stream, 2n)).toHaveLength(1);
      await Promise.all([mine.close(), theirs.close()]);
    });

    it('learns the end its own appends reach, and a retry of an append already recorded does not move it back', async () => {
      const store = open(freshPath());
      const stream = uniqueStream('ends');
      const first = { stream, expected: 'no_stream' as const, events: [newEvent()] };
      await store.append([first]);
      expect(await store.readStream(stream, 1n)).toEqual([]);
      const second = newEvent();
      await store.append([{ stream, expected: 0n, events: [second] }]);
      expect(await store.append([first])).toEqual({ position: 1n, revisions: new Map([[stream, 0n]]) });
      expect((await store.readStream(stream, 1n)).map((event) => event.id)).toEqual([second.id]);
      expect((await store.readStream(stream)).map((event) => event.revision)).toEqual([0n, 1n]);
      await store.close();
    });
  });

  describe('durability', () => {
    it('opens the log in WAL mode with synchronous=FULL, so a commit is fsynced before it is acknowledged', () => {
      const db = openEventLog(freshPath());
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      // 2 = FULL
      expect(db.pragma('synchronous', { simple: true })).toBe(2n);
      db.close();
    });

    it('keeps events across close and reopen, committing appends still queued at close', async () => {
      const path = freshPath();
      const store = open(path);
      const stream = uniqueStream('reopen');
      const first = newEvent();
      const queued = newEvent();
      await store.append([{ stream, expected: 'no_stream', events: [first] }]);
      const pending = store.append([{ stream, expected: 0n, events: [queued] }]);
      await store.close();
      await expect(pending).resolves.toEqual({ position: 2n, revisions: new Map([[stream, 1n]]) });

      const reopened = open(path);
      expect((await reopened.readStream(stream)).map((event) => event.id)).toEqual([first.id, queued.id]);
      await expect(reopened.append([{ stream, expected: 0n, events: [newEvent()] }])).rejects.toBeInstanceOf(ConcurrencyConflict);
      await reopened.close();
    });

    it('keeps every acknowledged append of a process killed with SIGKILL, and the log stays consistent', async () => {
      const path = freshPath();
      const writer = spawnStoreProcess('append-until-killed', path, 'killed', 16);
      expect(await writer.next('ready')).toBe('ready');
      const acknowledged: string[] = [];
      while (acknowledged.length < 500) acknowledged.push(await writer.next<string>('an acknowledged event id'));
      writer.child.kill('SIGKILL');
      await writer.exited();

      const store = open(path);
      const log = await readWholeLog(store);
      const recorded = new Set(log.map((event) => event.id));
      expect(acknowledged.filter((id) => !recorded.has(id))).toEqual([]);
      expectConsistentLog(log);
      const lastRevision = BigInt(log.filter((event) => event.stream === 'killed-0').length - 1);
      await store.append([{ stream: 'killed-0', expected: lastRevision, events: [newEvent()] }]);
      await store.close();

      const raw = new Database(path, { readonly: true });
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      raw.close();
    });
  });

  describe('threads of one process on one file', () => {
    it("wakes a caught-up subscription at another thread's commit, not at its next poll", async () => {
      const path = freshPath();
      const writer = open(path);
      const appendedFirst = newEvent();
      await writer.append([{ stream: uniqueStream('first'), expected: 'no_stream', events: [appendedFirst] }]);
      await writer.close();
      const received: string[] = [];
      let arrived = (): void => undefined;
      const next = () => new Promise<void>((resolve) => (arrived = resolve));
      const first = next();
      // As the projector's thread: another connection on the file, which only its poll told of the API's commits.
      const store = new SqliteEventStore({ path, pollIntervalMs: 3_600_000 });
      const subscription = store.subscribeToAll({
        handler: (event) => {
          received.push(event.id);
          arrived();
        },
      });
      await first;
      // Delivered, read again and found nothing: idle until woken (or an hour has passed).
      await new Promise((resolve) => setTimeout(resolve, 50));
      const second = next();
      const thread = new Worker(join(__dirname, 'fixtures/append-on-thread.ts'), { workerData: { path, stream: uniqueStream('thread') }, execArgv: ['--require', REGISTER_TS] });
      const appendedOnThread = await new Promise<string>((resolve) => thread.once('message', resolve));
      await second;
      expect(received).toEqual([appendedFirst.id, appendedOnThread]);
      await subscription.stop();
      await store.close();
    }, 10_000);
  });

  describe('several processes on one file', () => {
    it("waits for another connection's write lock on the event loop, not in it, and appends made meanwhile join the commit", async () => {
      const path = freshPath();
      const store = open(path);
      await store.append([{ stream: uniqueStream('first'), expected: 'no_stream', events: [newEvent()] }]);
      // Another process's writer (a second server, an operator's sqlite3): one connection on the file holding its write lock.
      const holder = new Database(path);
      holder.exec('BEGIN IMMEDIATE');
      const order: string[] = [];
      const waiting = store.append([{ stream: uniqueStream('waiting'), expected: 'no_stream', events: [newEvent()] }]).then(() => order.push('waiting appended'));
      // SQLite's busy handler would sleep this thread until the lock is free: no timer, no request, and here no release.
      await new Promise((resolve) => setTimeout(resolve, 50));
      order.push('timer fired');
      const joining = store.append([{ stream: uniqueStream('joining'), expected: 'no_stream', events: [newEvent()] }]).then(() => order.push('joining appended'));
      holder.exec('COMMIT');
      holder.close();
      await Promise.all([waiting, joining]);

      expect(order).toEqual(['timer fired', 'waiting appended', 'joining appended']);
      expect(store.stats).toEqual({ commits: 2, appends: 3 });
      expectConsistentLog(await readWholeLog(store));
      await store.close();
    });

    it('answers StoreUnavailable (503) once appends waited lockWaitMs for the write lock, writing nothing, and appends again once it is free', async () => {
      const path = freshPath();
      const store = new SqliteEventStore({ path, pollIntervalMs: 20, lockWaitMs: 200 });
      await store.append([{ stream: uniqueStream('first'), expected: 'no_stream', events: [newEvent()] }]);
      const holder = new Database(path);
      holder.exec('BEGIN IMMEDIATE');

      const refused = await Promise.allSettled([1, 2].map(() => store.append([{ stream: uniqueStream('refused'), expected: 'no_stream', events: [newEvent()] }])));
      expect(refused.map((outcome) => outcome.status === 'rejected' && (outcome.reason as Error).name)).toEqual(['StoreUnavailable', 'StoreUnavailable']);
      expect(refused[0].status === 'rejected' && (refused[0].reason as Error).message).toMatch(/event store .* is unavailable: database is locked/);
      holder.exec('COMMIT');
      holder.close();

      await store.append([{ stream: uniqueStream('after'), expected: 'no_stream', events: [newEvent()] }]);
      expect((await readWholeLog(store)).map((event) => event.stream.split('-')[0])).toEqual(['first', 'after']);
      await store.close();
    });

    it('commits at close the appends waiting for the write lock', async () => {
      const path = freshPath();
      const store = open(path);
      await store.append([{ stream: uniqueStream('first'), expected: 'no_stream', events: [newEvent()] }]);
      const holder = new Database(path);
      holder.exec('BEGIN IMMEDIATE');
      const waiting = store.append([{ stream: uniqueStream('waiting'), expected: 'no_stream', events: [newEvent()] }]);
      await new Promise((resolve) => setImmediate(resolve));
      const closed = store.close();
      setTimeout(() => {
        holder.exec('COMMIT');
        holder.close();
      }, 50);
      await Promise.all([waiting, closed]);

      const reopened = open(path);
      expect(await readWholeLog(reopened)).toHaveLength(2);
      await reopened.close();
    });

    it('loses and duplicates nothing under concurrent appends, and reports every conflict', async () => {
      const path = freshPath();
      const processes = 3;
      const createStreams = 40;
      const loops = 6;
      const appendsPerLoop = 15;
      const workers = Array.from({ length: processes }, () =>
        spawnStoreProcess('contend', path, 'shared', createStreams, 3, loops, appendsPerLoop),
      );
      for (const worker of workers) expect(await worker.next('ready')).toBe('ready');
      for (const worker of workers) worker.child.send('go');
      const reports = await Promise.all(workers.map((worker) => worker.next<ContendReport>('its report, once its appends are done')));
      await Promise.all(workers.map((worker) => worker.exited()));

      // Each shared stream was created by exactly one process; every other attempt conflicted.
      const created = reports.flatMap((report) => report.created).sort();
      expect(created).toEqual(Array.from({ length: createStreams }, (_, i) => `shared-created-${i}`).sort());
      expect(reports.reduce((sum, report) => sum + report.createConflicts, 0)).toBe((processes - 1) * createStreams);

      const store = open(path);
      const log = await readWholeLog(store);
      expectConsistentLog(log);
      const counted = log.filter((event) => event.type === 'Counted').map((event) => event.id);
      const acknowledged = reports.flatMap((report) => report.acknowledged);
      expect(acknowledged).toHaveLength(processes * loops * appendsPerLoop);
      expect(counted.sort()).toEqual(acknowledged.sort());
      expect(reports.reduce((sum, report) => sum + report.counterConflicts, 0)).toBeGreaterThan(0);
      await store.close();
    });

    it("reads another process's appends to a stream whose end it knew, and keeps the ends of the others", async () => {
      const path = freshPath();
      const store = open(path);
      const [written, untouched] = [uniqueStream('cross'), uniqueStream('untouched')];
      await store.append([{ stream: untouched, expected: 'no_stream', events: [newEvent()] }]);
      expect(await store.readStream(written)).toEqual([]);
      expect(await store.readStream(untouched, 1n)).toEqual([]);

      const writer = spawnStoreProcess('append', path, written, 10);
      expect(await writer.next('ready')).toBe('ready');
      const ids = await writer.next<string[]>('the ids it appended');
      await writer.exited();

      expect((await store.readStream(written)).map((event) => event.id)).toEqual(ids);
      expect(await store.readStream(written, 10n)).toEqual([]);
      expect((await store.readStream(untouched)).map((event) => event.revision)).toEqual([0n]);
      await store.close();
    });

    it("delivers another process's appends to a live subscription", async () => {
      const path = freshPath();
      const store = open(path);
      const stream = uniqueStream('cross');
      const received: RecordedEvent[] = [];
      let allReceived!: () => void;
      const arrived = new Promise<void>((resolve) => (allReceived = resolve));
      const subscription = store.subscribeToAll({
        handler: (event) => {
          received.push(event);
          if (received.length === 10) allReceived();
        },
      });

      const writer = spawnStoreProcess('append', path, stream, 10);
      expect(await writer.next('ready')).toBe('ready');
      const written = await writer.next<string[]>('the ids it appended');
      await withDeadline('the subscription to receive the 10 events the append process wrote', 20_000, arrived, () => `it received ${received.length}`);
      await subscription.stop();
      await writer.exited();

      expect(received.map((event) => event.id)).toEqual(written);
      expect(store.stats.commits).toBe(0);
      await store.close();
    });
  });
});
