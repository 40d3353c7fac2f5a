/**
 * A queue worker in a process of its own, to be killed for real (queue-worker-process.ts): opens
 * the adapter its argument names, says `started <id> <attempt>` as its handler takes a job, then holds it
 * for good; says `lost <id>` for each job it gives up because its worker died.
 */
import { BullmqEmailQueue, type BullmqEmailQueueOptions } from '../../../src/notifications/queue/bullmq-email-queue';
import { SqliteEmailQueue, type SqliteEmailQueueOptions } from '../../../src/notifications/queue/sqlite-email-queue';
import { openSqliteFile } from '../../../src/shared/sqlite-file';
import type { QueueWorkerProcessArgs } from './queue-worker-process';

const args = JSON.parse(process.argv[2]) as QueueWorkerProcessArgs;
const queue =
  args.adapter === 'bullmq'
    ? new BullmqEmailQueue(args.options as BullmqEmailQueueOptions)
    : new SqliteEmailQueue(openSqliteFile(args.path, 'NORMAL'), args.options as SqliteEmailQueueOptions);
queue.process(
  (job, attempt) => {
    process.stdout.write(`started ${job.id} ${attempt}\n`);
    return new Promise<void>(() => undefined);
  },
  { concurrency: 1, onGivenUp: (job, reason) => process.stdout.write(`${reason === 'worker_lost' ? 'lost' : `given up (${reason})`} ${job.id}\n`) },
);
process.stdout.write('ready\n');
