import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { BullmqEmailQueueOptions } from '../../../src/notifications/queue/bullmq-email-queue';
import type { SqliteEmailQueueOptions } from '../../../src/notifications/queue/sqlite-email-queue';
import { WatchedChild } from '../../support/watched-child';

/** How a worker process opens a queue adapter: its constructor's options (and the SQLite file). */
export type QueueWorkerProcessArgs =
  | { adapter: 'bullmq'; options: BullmqEmailQueueOptions }
  | { adapter: 'sqlite'; path: string; options: SqliteEmailQueueOptions };

/** A queue worker as a child process (queue-worker.child.ts, TypeScript through SWC) whose handler holds each job it takes. */
export class QueueWorkerProcess extends WatchedChild {
  static async start(args: QueueWorkerProcessArgs): Promise<QueueWorkerProcess> {
    const child = spawn(process.execPath, ['--require', join(__dirname, '..', '..', '..', 'scripts', 'register-ts.js'), join(__dirname, 'queue-worker.child.ts'), JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new QueueWorkerProcess(child, `a ${args.adapter} queue worker`);
    await worker.untilSaid('ready\n', 20_000);
    return worker;
  }

  /** Ids of the jobs its handler took, and of those it gave up as lost. */
  said(what: 'started' | 'lost'): string[] {
    return [...this.output.matchAll(new RegExp(`^${what} (\\S+)( \\d+)?$`, 'gm'))].map(([, id]) => id);
  }

  /** The attempt numbers its handler was given, in order. */
  attemptsStarted(): number[] {
    return [...this.output.matchAll(/^started \S+ (\d+)$/gm)].map(([, attempt]) => Number(attempt));
  }
}
