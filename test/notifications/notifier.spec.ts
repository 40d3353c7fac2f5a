import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { Notifier } from '../../src/notifications/notifier';
import { SqliteEmailQueue } from '../../src/notifications/queue/sqlite-email-queue';
import { SqliteNotifierCheckpoint } from '../../src/notifications/checkpoint/sqlite-notifier-checkpoint';
import { openSqliteFile } from '../../src/shared/sqlite-file';
import type { EmailJob } from '../../src/notifications/email-job';
import { OrgLog } from './support/org-log';
import { waitFor } from './support/wait-for';

describe('Notifier', () => {
  let dir: string;
  let events: SqliteEventStore;
  let log: OrgLog;
  const closers: Array<() => Promise<void> | void> = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ztkeys-notifier-'));
    events = new SqliteEventStore({ path: join(dir, 'events.sqlite'), pollIntervalMs: 20 });
    log = new OrgLog(events, 'acme');
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The embedded email store, opened as a process start would. */
  function openEmailStore(checkpointName?: string) {
    const db = openSqliteFile(join(dir, 'email.sqlite'), 'NORMAL');
    const queue = new SqliteEmailQueue(db, {
      retry: { attempts: 3, backoffMs: 10 },
      lockMs: 2000,
      pollMs: 20,
      keepCompletedMs: 3600_000,
    });
    const checkpoint = new SqliteNotifierCheckpoint(db, checkpointName);
    let closed = false;
    const close = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      await queue.close();
      db.close();
    };
    closers.push(close);
    return { queue, checkpoint, close };
  }

  function startNotifier(store: ReturnType<typeof openEmailStore>): Notifier {
    const notifier = new Notifier({ events, queue: store.queue, checkpoint: store.checkpoint, retryBaseMs: 10 });
    closers.push(() => notifier.stop());
    void notifier.start();
    return notifier;
  }

  const caughtUp = async (store: ReturnType<typeof openEmailStore>): Promise<void> => {
    const head = await events.headPosition();
    await waitFor('the notifier to reach the head of the log', async () => (await store.checkpoint.load())?.position === head);
  };

  /** Sends every queued job to a handler that records it, and returns what it saw. */
  async function drain(store: ReturnType<typeof openEmailStore>, expected: number): Promise<EmailJob[]> {
    const handled: EmailJob[] = [];
    const worker = store.queue.process(async (job) => void handled.push(job), { concurrency: 2 });
    await waitFor(`${expected} completed jobs`, async () => (await store.queue.counts()).completed === expected);
    await worker.close();
    return handled;
  }

  it('after a stop or crash, enqueues from its checkpoint the jobs of the events appended meanwhile', async () => {
    const [sam, ada, max] = ['Sam', 'Ada', 'Max'].map((name) => log.agent(name));
    const first = openEmailStore();
    const notifier = startNotifier(first);
    await log.create('Acme Support', sam);
    await log.firstKey(sam);
    await log.add(ada, 'ADMIN');
    const adaRequest = await log.request(ada);
    await caughtUp(first);
    expect(await first.queue.counts()).toMatchObject({ waiting: 2 });
    await notifier.stop();
    await first.close();

    // Appended while no notifier runs: what a crash right after the append leaves behind.
    await log.approve(ada, adaRequest, 'APPROVAL', sam);
    await log.add(max, 'MEMBER');
    await log.request(max);

    const second = openEmailStore();
    expect(await second.queue.counts()).toMatchObject({ waiting: 2 });
    startNotifier(second);
    await caughtUp(second);
    expect(await second.queue.counts()).toMatchObject({ waiting: 5 });
    const handled = await drain(second, 5);
    expect(handled.map((job) => `${job.kind} -> ${job.to.agentId}`).sort()).toEqual([
      'KEY_APPROVED -> ada',
      'KEY_APPROVED -> sam',
      'KEY_REQUEST_WAITING -> ada',
      'KEY_REQUEST_WAITING -> sam',
      'KEY_REQUEST_WAITING -> sam',
    ]);
  });

  it('replaying events whose jobs are queued or sent enqueues nothing new, even from two notifiers at once', async () => {
    const { max, request } = await log.pendingMemberRequest('Acme Support');
    const store = openEmailStore();
    startNotifier(store);
    await caughtUp(store);
    const sent = await drain(store, 5);

    // Jobs queued but the checkpoint lost (a crash after the enqueue, before the checkpoint):
    // two notifiers replay the whole log over the same queue.
    await log.lock(max, request);
    const replayA = openEmailStore('lost-checkpoint-a');
    const replayB = openEmailStore('lost-checkpoint-b');
    startNotifier(replayA);
    startNotifier(replayB);
    await caughtUp(replayA);
    await caughtUp(replayB);
    expect(await store.queue.counts()).toEqual({ waiting: 1, delayed: 0, active: 0, completed: 5, failed: 0 });
    const [locked] = await drain(store, 6);
    expect(locked).toMatchObject({ kind: 'KEY_REQUEST_LOCKED', to: { agentId: 'max' } });
    expect(new Set(sent.map((job) => job.id)).size).toBe(5);
  });
});
