import Database from 'better-sqlite3';
import IORedis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import type { ParkedEvent } from '../../src/notifications/checkpoint/notifier-checkpoint.port';
import { EmailNotifications } from '../../src/notifications/email-notifications';
import { notificationsConfig } from '../../src/notifications/notifications.config';
import { withDeadline } from '../support/with-deadline';
import { ServerProcess } from '../ops/support/server-process';
import { OrgLog, type Requested } from './support/org-log';
import { waitFor } from './support/wait-for';

/** The emails of `event` the outbox holds, by file name (each names its event's id). */
const mailedFor = (outbox: string, event: string): string[] => (existsSync(outbox) ? readdirSync(outbox).filter((name) => name.includes(event)) : []);

const parkedGauge = async (url: string): Promise<string | undefined> => /^ztkeys_email_notifier_parked_events (\d+)$/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1];

/**
 * A rolling upgrade as an operator meets it: the log holds an event a newer release wrote (a
 * KeyRequested of schema version 2), then another org's requests. The built server's notifier
 * retried that event for ever and held back every org's emails behind it.
 */
describe('the notifier meets an event it cannot plan for, on the built server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-parked-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('parks it (metric, error line naming its position and type), mails the events after it, and keeps it parked across a restart', async () => {
    const events = new SqliteEventStore({ path: join(dir, 'events.sqlite') });
    const acme = new OrgLog(events, 'acme');
    const globex = new OrgLog(events, 'globex');
    let newer: Requested;
    let after: Requested;
    try {
      const { max } = await acme.pendingMemberRequest('Acme');
      newer = await acme.request(max, undefined, 2);
      ({ request: after } = await globex.pendingMemberRequest('Globex'));
    } finally {
      await events.close();
    }
    const position = await (async () => {
      const log = new SqliteEventStore({ path: join(dir, 'events.sqlite') });
      try {
        for (let at = 1n; ; at++) if ((await log.eventAt(at))?.id === newer.eventId) return at;
      } finally {
        await log.close();
      }
    })();
    const outbox = join(dir, 'outbox');

    const server = ServerProcess.spawn({ DATA_DIR: dir });
    try {
      const url = await server.listening();
      // Globex's request, after it in the log: mailed to its two approvers.
      await waitFor("the emails of the request after the newer release's event", () => mailedFor(outbox, after.eventId).length === 2, 30_000, () => server.stdout.slice(-2000));
      expect(mailedFor(outbox, newer.eventId)).toEqual([]);
      expect(await parkedGauge(url)).toBe('1');
      // The followers' own stall at the event (each one error line) is newer-event-stall.spec.ts's.
      expect(server.logLines.filter((line) => line.level >= 50 && !String(line.msg).includes(' stalled at position ')).map(({ level, msg, position: at, type, schemaVersion, eventId }) => ({ level, msg, at, type, schemaVersion, eventId }))).toEqual([
        {
          level: 50,
          msg: expect.stringMatching(new RegExp(`^email notifier parked the event at position ${position} \\(KeyRequested v2\\): cannot decode event KeyRequested v2: written by a newer ztkeys`)),
          at: String(position),
          type: 'KeyRequested',
          schemaVersion: 2,
          eventId: newer.eventId,
        },
      ]);
      expect(await server.stopWith('SIGTERM', 10_000)).toBeLessThan(10_000);
    } finally {
      server.dispose();
    }

    // Recorded with the checkpoint: a restart of the same release plans it again, parks it again, and mails nothing twice.
    const again = ServerProcess.spawn({ DATA_DIR: dir });
    try {
      const url = await again.listening();
      await waitFor('the parked event planned again at the start', () => again.logLines.some((line) => line.level === 50 && line.eventId === newer.eventId));
      expect(await parkedGauge(url)).toBe('1');
      expect(mailedFor(outbox, after.eventId)).toHaveLength(2);
      expect(mailedFor(outbox, newer.eventId)).toEqual([]);
    } finally {
      again.dispose();
    }
  }, 120_000);
});

/** Against the shared Redis on 127.0.0.1:6379, under a prefix of this run only. */
const REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * The notifier over each queue's store (the embedded SQLite one and Redis with BullMQ, as the
 * server opens them): what it parks is kept with its checkpoint there, whichever the adapter.
 */
describe.each([
  { store: 'SQLite', env: (): Record<string, string> => ({}) },
  { store: 'Redis', env: (): Record<string, string> => ({ REDIS_URL, REDIS_KEY_PREFIX: `ztkeys-test-parked-${randomUUID().slice(0, 8)}` }) },
])('the notifier parks what it cannot plan for, over $store', ({ env }) => {
  let dir: string;
  let events: SqliteEventStore;
  let settings: Record<string, string>;
  const running: EmailNotifications[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ztkeys-parked-unit-'));
    events = new SqliteEventStore({ path: join(dir, 'events.sqlite'), pollIntervalMs: 20 });
    settings = { DATA_DIR: dir, EMAIL_QUEUE: 'parked', ...env() };
  });
  afterEach(async () => {
    for (const notifications of running.splice(0)) await withDeadline('the notifier to stop', 15_000, notifications.stop());
    await events.close();
    if (settings.REDIS_URL) {
      const redis = new IORedis(REDIS_URL);
      const keys = await redis.keys(`${settings.REDIS_KEY_PREFIX}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** A notifier as the server runs it, with no worker: the jobs stay in the queue for the test to read. */
  function start(): { notifications: EmailNotifications; registry: Registry; parked: ParkedEvent[] } {
    const registry = new Registry();
    const parked: ParkedEvent[] = [];
    const notifications = new EmailNotifications({ config: notificationsConfig(settings), registry, events, worker: false, onParked: (event) => parked.push(event) });
    running.push(notifications);
    notifications.start();
    return { notifications, registry, parked };
  }

  async function stop(notifications: EmailNotifications): Promise<void> {
    running.splice(running.indexOf(notifications), 1);
    await notifications.stop();
  }

  const caughtUp = async (notifications: EmailNotifications): Promise<void> => {
    const head = await events.headPosition();
    await waitFor('the notifier to reach the head of the log', () => notifications.notifierCheckpoint === head);
  };

  const gauge = async (registry: Registry): Promise<number | undefined> => (await registry.getSingleMetric('ztkeys_email_notifier_parked_events')?.get())?.values[0]?.value;

  /** Every job queued: taken by a worker of the test's, which records their ids. */
  async function queuedJobs(notifications: EmailNotifications, expected: number): Promise<string[]> {
    const ids: string[] = [];
    const worker = notifications.queue.process(async (job) => void ids.push(job.id), { concurrency: 4 });
    await waitFor(`${expected} jobs`, async () => (await notifications.queue.counts()).completed === expected);
    await worker.close();
    return ids.sort();
  }

  it("parks a newer release's event and the later ones of its stream, mails every other org's, and mails them once a release that reads them starts", async () => {
    const acme = new OrgLog(events, 'acme');
    const globex = new OrgLog(events, 'globex');
    const { sam, ada, max } = await acme.pendingMemberRequest('Acme');
    const newer = await acme.request(max, undefined, 2);
    // A type a newer release added, in Ada's stream (it may mail someone there): her later request cannot be planned either, her key's state is folded from the stream.
    const escrowed = await acme.ofNewType(ada, 'KeyEscrowed');
    const adaAgain = await acme.request(ada);
    const { request: after } = await globex.pendingMemberRequest('Globex');
    const first = start();
    await caughtUp(first.notifications);
    // Acme's 5 and Globex's 5 (see OrgLog.pendingMemberRequest), none of the two parked.
    const sent = await queuedJobs(first.notifications, 10);
    expect(sent.filter((id) => id.startsWith(after.eventId))).toHaveLength(2);
    expect(sent.filter((id) => id.startsWith(newer.eventId) || id.startsWith(adaAgain.eventId))).toEqual([]);
    expect(first.parked.map(({ eventId, type, schemaVersion }) => ({ eventId, type, schemaVersion }))).toEqual([
      { eventId: newer.eventId, type: 'KeyRequested', schemaVersion: 2 },
      { eventId: escrowed, type: 'KeyEscrowed', schemaVersion: 1 },
      { eventId: adaAgain.eventId, type: 'KeyRequested', schemaVersion: 1 },
    ]);
    expect(first.parked.map(({ reason }) => reason)).toEqual([
      expect.stringContaining('written by a newer ztkeys'),
      'cannot decode event KeyEscrowed v1: unknown event type: written by a newer ztkeys (this release knows no type of that name)',
      'cannot decode event KeyEscrowed v1: unknown event type: written by a newer ztkeys (this release knows no type of that name)',
    ]);
    expect(await gauge(first.registry)).toBe(3);
    await stop(first.notifications);

    // A release that reads KeyRequested v2 (here: the record made v1, readable to this one), not KeyEscrowed.
    const log = new Database(join(dir, 'events.sqlite'));
    log.prepare('UPDATE events SET schema_version = 1 WHERE id = ?').run(newer.eventId);
    log.close();
    const upgraded = start();
    await caughtUp(upgraded.notifications);
    // Max's request to Sam and Ada, once each (R12), the 10 of before not queued again; KeyEscrowed and Ada's request parked again.
    const all = await queuedJobs(upgraded.notifications, 12);
    expect(all.filter((id) => !sent.includes(id))).toEqual([`${newer.eventId}~${ada.agentId}`, `${newer.eventId}~${sam.agentId}`].sort());
    expect(upgraded.parked.map(({ eventId }) => eventId)).toEqual([escrowed, adaAgain.eventId]);
    expect(await gauge(upgraded.registry)).toBe(2);
    await stop(upgraded.notifications);

    // What is still parked stays so across starts, and nothing is queued again.
    const later = start();
    await caughtUp(later.notifications);
    await waitFor('the parked events planned again', () => later.parked.length === 2);
    expect(await gauge(later.registry)).toBe(2);
    expect(await later.notifications.queue.counts()).toMatchObject({ waiting: 0, completed: 12 });
  }, 60_000);
});
