import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { BullmqEmailQueueOptions } from '../../../src/notifications/queue/bullmq-email-queue';
import type { SqliteEmailQueueOptions } from '../../../src/notifications/queue/sqlite-email-queue';

/** How a worker process opens a queue adapter: its constructor's options (and the SQLite file). */
export type QueueWorkerProcessArgs =
  | { adapter: 'bullmq'; options: BullmqEmailQueueOptions }
  | { adapter: 'sqlite'; path: string; options: SqliteEmailQueueOptions };

/** A queue worker as a child process (queue-worker.child.ts, TypeScript through SWC) whose handler holds each job it takes. */
export class QueueWorkerProcess {
  readonly exited: Promise<unknown>;
  output = '';

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  static async start(args: QueueWorkerProcessArgs): Promise<QueueWorkerProcess> {
    const child = spawn(process.execPath, ['--require', join(__dirname, '..', '..', '..', 'scripts', 'register-ts.js'), join(__dirname, 'queue-worker.child.ts'), JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new QueueWorkerProcess(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', () => worker.output.includes('ready\n') && resolve());
      void worker.exited.then(() => reject(new Error(`queue worker exited before it was ready:\n${worker.output}`)));
    });
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

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}
