/**
 * A notifier process killed for real (SIGKILL) in the middle of its catch-up, its checkpoint saved
 * only after the events that queued jobs and now and then between them: the next start replays
 * from that checkpoint and the queue ends with exactly the jobs of a notifier that never stopped,
 * each once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { SqliteNotifierCheckpoint } from '../../src/notifications/checkpoint/sqlite-notifier-checkpoint';
import { Notifier } from '../../src/notifications/notifier';
import { SqliteEmailQueue } from '../../src/notifications/queue/sqlite-email-queue';
import { openSqliteFile } from '../../src/shared/sqlite-file';
import { appendAll, syntheticCommands } from '../read-models/fixtures/synthetic-log';
import { killMidCatchUp } from '../support/kill-mid-catch-up';
import { waitFor } from './support/wait-for';

describe('notifier killed mid-catch-up', () => {
  let dir: string;
  let eventsPath: string;
  let events: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ztkeys-notifier-crash-'));
    eventsPath = join(dir, 'events.sqlite');
    events = new SqliteEventStore({ path: eventsPath });
  });
  afterEach(async () => {
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs a notifier over the email store at `path` until its checkpoint is the head, then returns every job id it holds, as a worker takes them. */
  async function catchUpAndDrain(path: string, head: bigint): Promise<{ checkpointBefore?: bigint; jobIds: string[] }> {
    const db = openSqliteFile(path, 'NORMAL');
    const queue = new SqliteEmailQueue(db, { retry: { attempts: 3, backoffMs: 10 }, lockMs: 2000, pollMs: 20, keepCompletedMs: 3600_000 });
    const checkpoint = new SqliteNotifierCheckpoint(db);
    try {
      const checkpointBefore = (await checkpoint.load())?.position;
      const notifier = new Notifier({ events, queue, checkpoint, retryBaseMs: 10 });
      await notifier.start();
      await waitFor('the notifier to save the head of the log', async () => (await checkpoint.load())?.position === head, 120_000);
      await notifier.stop();
      const { waiting } = await queue.counts();
      const jobIds: string[] = [];
      const worker = queue.process(async (job) => void jobIds.push(job.id), { concurrency: 4 });
      await waitFor(`${waiting} completed jobs`, async () => (await queue.counts()).completed === waiting, 120_000);
      await worker.close();
      return { checkpointBefore, jobIds: jobIds.sort() };
    } finally {
      await queue.close();
      db.close();
    }
  }

  it('replays from its last saved checkpoint and queues every job once, as a notifier that never stopped', async () => {
    await appendAll(events, syntheticCommands({ orgs: 3, agentsPerOrg: 30, commands: 3000, seed: 14 }));
    const head = (await events.headPosition())!;
    const emailPath = join(dir, 'email.sqlite');

    const killedAt = await killMidCatchUp(['--require', './scripts/register-ts.js', 'test/notifications/support/run-notifier.ts', eventsPath, emailPath], head, 'notifier');
    const resumed = await catchUpAndDrain(emailPath, head);
    const reference = await catchUpAndDrain(join(dir, 'reference.sqlite'), head);

    // The kill landed mid-catch-up: the next start resumed from a checkpoint short of the head.
    expect(resumed.checkpointBefore).toBeGreaterThanOrEqual(BigInt(killedAt));
    expect(resumed.checkpointBefore).toBeLessThan(head);
    expect(reference.jobIds.length).toBeGreaterThan(100);
    expect(new Set(resumed.jobIds).size).toBe(resumed.jobIds.length);
    expect(resumed.jobIds).toEqual(reference.jobIds);
  }, 300_000);
});
