/**
 * Child process of the notifier's crash test: runs the notifier over an event log with the
 * embedded email store, prints `notifier <position>` each time it saves its checkpoint, and
 * `caught-up` once the saved checkpoint is the head of the log.
 * argv: <events.sqlite> <email.sqlite>
 */
import { SqliteEventStore } from '../../../src/event-store/sqlite/sqlite-event-store';
import { SqliteNotifierCheckpoint } from '../../../src/notifications/checkpoint/sqlite-notifier-checkpoint';
import { Notifier } from '../../../src/notifications/notifier';
import { SqliteEmailQueue } from '../../../src/notifications/queue/sqlite-email-queue';
import { openSqliteFile } from '../../../src/shared/sqlite-file';
import { waitForKill } from '../../support/wait-for-kill';

async function main(): Promise<void> {
  const [eventsPath, emailPath] = process.argv.slice(2);
  const events = new SqliteEventStore({ path: eventsPath });
  const db = openSqliteFile(emailPath, 'NORMAL');
  const queue = new SqliteEmailQueue(db, { retry: { attempts: 3, backoffMs: 10 }, lockMs: 2000, keepCompletedMs: 3600_000 });
  const stored = new SqliteNotifierCheckpoint(db);
  const head = await events.headPosition();
  const stallAt = process.env.KILL_MID_CATCH_UP_AT === undefined ? undefined : BigInt(process.env.KILL_MID_CATCH_UP_AT);
  const checkpoint = {
    load: () => stored.load(),
    park: (parked: Parameters<typeof stored.park>[0]) => stored.park(parked),
    parked: () => stored.parked(),
    unpark: (eventId: string) => stored.unpark(eventId),
    save: async (saved: Parameters<typeof stored.save>[0]) => {
      const held = await stored.save(saved);
      process.stdout.write(`notifier ${saved.position}\n`);
      if (saved.position === head) process.stdout.write('caught-up\n');
      // Past the third the test kills at, the notifier waits for that kill here, its checkpoint saved: it
      // saves seldom and reads fast, so it could reach the head before the test's SIGKILL (seen in CI).
      if (stallAt !== undefined && saved.position >= stallAt && saved.position !== head) waitForKill();
      return held;
    },
  };
  await new Notifier({ events, queue, checkpoint, onError: (error) => process.stderr.write(`${String(error)}\n`) }).start();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
