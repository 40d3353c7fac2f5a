import type { EmailJob } from '../../src/notifications/email-job';
import {
  InvalidFailedJobsCursor,
  JobForNewerRelease,
  NotFailedEmailJobs,
  PermanentJobFailure,
  type EmailJobHandler,
  type EmailQueue,
  type EmailQueueGivenUpReason,
  type FailedEmailJobsPage,
  type RetryPolicy,
} from '../../src/notifications/queue/email-queue.port';
import { approvalJob } from './support/email-jobs';
import { QueueWorkerProcess, type QueueWorkerProcessArgs } from './support/queue-worker-process';
import { gate, waitFor } from './support/wait-for';

export interface QueueHarness {
  /** Opens the queue kept in store `store`; opening the same store again is a restart. */
  open(store: string, retry: RetryPolicy): Promise<EmailQueue>;
  /** How a worker process of its own opens that queue. */
  workerArgs(store: string, retry: RetryPolicy): QueueWorkerProcessArgs;
  /** Removes every store opened. */
  cleanup(): Promise<void>;
}

const RETRY: RetryPolicy = { attempts: 3, backoffMs: 100 };

/** Jobs 1 to 3 added to `queue`, once jobs 1 and 2 have failed and job 3 has completed (as its handler has them do). */
async function twoFailedOneCompleted(queue: EmailQueue): Promise<EmailJob[]> {
  const jobs = [1, 2, 3].map(approvalJob);
  await queue.add(jobs);
  await waitFor('2 failed jobs and 1 completed', async () => {
    const counts = await queue.counts();
    return counts.failed === 2 && counts.completed === 1;
  });
  return jobs;
}

/** Adds `jobs` one by one, each once the one before has failed (its handler fails them), `failed` failed before. */
async function failOneByOne(queue: EmailQueue, jobs: EmailJob[], failed = 0): Promise<void> {
  for (const [i, job] of jobs.entries()) {
    await queue.add([job]);
    await waitFor(`job ${job.id} to fail`, async () => (await queue.counts()).failed === failed + i + 1);
    // Failure times a millisecond apart at least: the order is theirs.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A retry or discard that named `completed` and a missing job beside a failed one: refused, naming both, the queue unchanged. */
async function refusedNamingNotFailed(queue: EmailQueue, refused: Promise<unknown>, completed: EmailJob): Promise<void> {
  await expect(refused).rejects.toThrow(NotFailedEmailJobs);
  await expect(refused).rejects.toMatchObject({
    jobs: [
      { id: completed.id, state: 'completed' },
      { id: 'no-such-job', state: 'missing' },
    ],
  });
  expect(await queue.counts()).toEqual({ waiting: 0, delayed: 0, active: 0, completed: 1, failed: 2 });
}

/** What every EmailQueue adapter guarantees; run against each adapter. */
export function emailQueueContract(name: string, harness: () => QueueHarness): void {
  describe(`${name}: EmailQueue contract`, () => {
    let h: QueueHarness;
    let opened: EmailQueue[];
    let storeCount = 0;
    const store = (): string => `store${++storeCount}`;
    const open = async (storeName: string, retry = RETRY): Promise<EmailQueue> => {
      const queue = await h.open(storeName, retry);
      opened.push(queue);
      return queue;
    };

    beforeAll(() => {
      h = harness();
    });
    beforeEach(() => {
      opened = [];
    });
    afterEach(async () => {
      await Promise.all(opened.map((queue) => queue.close()));
    });
    afterAll(async () => {
      await h.cleanup();
    });

    it('hands each job to one handler once, whatever the number of workers and re-adds', async () => {
      const queue = await open(store());
      const jobs = [1, 2, 3, 4, 5, 6].map(approvalJob);
      await queue.add(jobs);
      await queue.add(jobs.slice(0, 3));
      const handled: EmailJob[] = [];
      const handler = async (job: EmailJob): Promise<void> => {
        handled.push(job);
      };
      const workers = [queue.process(handler, { concurrency: 2 }), queue.process(handler, { concurrency: 2 })];
      await waitFor('6 completed jobs', async () => (await queue.counts()).completed === 6);
      // Re-adding completed jobs (a replayed event) queues nothing.
      await queue.add(jobs);
      expect(await queue.counts()).toEqual({ waiting: 0, delayed: 0, active: 0, completed: 6, failed: 0 });
      await Promise.all(workers.map((worker) => worker.close()));
      expect(handled.map((job) => job.id).sort()).toEqual(jobs.map((job) => job.id).sort());
      expect(handled.find((job) => job.id === jobs[0].id)).toEqual(jobs[0]);
    });

    it('retries a failing job with exponential backoff until it succeeds', async () => {
      const queue = await open(store());
      const attempts: Array<{ attempt: number; at: number }> = [];
      queue.process(
        async (_job, attempt) => {
          attempts.push({ attempt, at: Date.now() });
          if (attempt < 3) throw new Error(`SMTP refused (attempt ${attempt})`);
        },
        { concurrency: 1 },
      );
      await queue.add([approvalJob()]);
      await waitFor('the job to complete', async () => (await queue.counts()).completed === 1);
      expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
      // Lower bounds only: the waits grow as backoffMs * 2^(n-1).
      expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(RETRY.backoffMs - 5);
      expect(attempts[2].at - attempts[1].at).toBeGreaterThanOrEqual(2 * RETRY.backoffMs - 5);
      expect((await queue.counts()).failed).toBe(0);
    });

    it('keeps a job that ran out of attempts and lists it with its error', async () => {
      const queue = await open(store());
      let calls = 0;
      queue.process(
        async () => {
          calls += 1;
          throw new Error('550 mailbox unavailable');
        },
        { concurrency: 1 },
      );
      const job = approvalJob();
      await queue.add([job]);
      await waitFor('the job to fail', async () => (await queue.counts()).failed === 1);
      expect(calls).toBe(RETRY.attempts);
      const { jobs: failed, next } = await queue.failedJobs(10);
      expect(next).toBeUndefined();
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ job, attempts: RETRY.attempts, error: '550 mailbox unavailable' });
      expect(failed[0].failedAt).toBeInstanceOf(Date);
      // A failed job's id still counts: re-adding it queues nothing.
      await queue.add([job]);
      expect(await queue.counts()).toMatchObject({ waiting: 0, delayed: 0, failed: 1 });
    });

    it('fails a job at once when its handler says no attempt can help, and keeps it with its error', async () => {
      const queue = await open(store());
      const calls: number[] = [];
      queue.process(
        async (job, attempt) => {
          calls.push(attempt);
          if (job.to.agentId === 'agent-1') throw new PermanentJobFailure(new Error('550 no such mailbox'));
        },
        { concurrency: 1 },
      );
      const [refused, next] = [approvalJob(1), approvalJob(2)];
      await queue.add([refused]);
      await waitFor('the job to fail', async () => (await queue.counts()).failed === 1);
      // A later job is handled after it: had the refused one been retried, its attempt would come first.
      await queue.add([next]);
      await waitFor('the next job to complete', async () => (await queue.counts()).completed === 1);
      expect(calls).toEqual([1, 1]);
      expect(await queue.counts()).toEqual({ waiting: 0, delayed: 0, active: 0, completed: 1, failed: 1 });
      const {
        jobs: [failed],
      } = await queue.failedJobs(10);
      expect(failed).toMatchObject({ job: refused, attempts: 1, error: '550 no such mailbox' });
    });

    it('lists the failed jobs page by page, most recently failed first', async () => {
      const queue = await open(store());
      queue.process(
        async () => {
          throw new PermanentJobFailure(new Error('550 no such mailbox'));
        },
        { concurrency: 1 },
      );
      const jobs = [1, 2, 3].map(approvalJob);
      await failOneByOne(queue, jobs);
      const first = await queue.failedJobs(2);
      expect(first.jobs.map((failed) => failed.job.id)).toEqual([jobs[2].id, jobs[1].id]);
      expect(first.next).toEqual(expect.any(String));
      const second = await queue.failedJobs(2, first.next);
      expect(second).toEqual({ jobs: [expect.objectContaining({ job: jobs[0], attempts: 1, error: '550 no such mailbox' })] });
      expect((await queue.failedJobs(3)).next).toBeUndefined();
      await expect(queue.failedJobs(2, 'no cursor of mine')).rejects.toThrow(InvalidFailedJobsCursor);
    });

    it('pages the failed jobs on from the last one listed, whatever is discarded, retried or fails between two pages', async () => {
      const queue = await open(store());
      const fixed = new Set<string>();
      queue.process(
        async (job) => {
          if (!fixed.has(job.id)) throw new PermanentJobFailure(new Error('550 no such mailbox'));
        },
        { concurrency: 1 },
      );
      const [one, two, three, four, five] = [1, 2, 3, 4, 5].map(approvalJob);
      await failOneByOne(queue, [one, two, three, four]);
      const ids = ({ jobs }: FailedEmailJobsPage): string[] => jobs.map((failed) => failed.job.id);

      const beforeDiscard = await queue.failedJobs(2);
      expect(ids(beforeDiscard)).toEqual([four.id, three.id]);
      await queue.discardFailed([four.id]);
      expect(ids(await queue.failedJobs(2, beforeDiscard.next))).toEqual([two.id, one.id]);

      const beforeRetry = await queue.failedJobs(1);
      expect(ids(beforeRetry)).toEqual([three.id]);
      fixed.add(three.id);
      await queue.retryFailed([three.id]);
      await waitFor('the retried job to complete', async () => (await queue.counts()).completed === 1);
      expect(ids(await queue.failedJobs(1, beforeRetry.next))).toEqual([two.id]);

      const beforeFailure = await queue.failedJobs(1);
      expect(ids(beforeFailure)).toEqual([two.id]);
      await failOneByOne(queue, [five], 2);
      expect(ids(await queue.failedJobs(1, beforeFailure.next))).toEqual([one.id]);
    });

    it('retries failed jobs on request, each with its attempts again; refuses, retrying none, when one named is not failed', async () => {
      const queue = await open(store());
      let fixed = false;
      const attempts = new Map<string, number[]>();
      queue.process(
        async (job, attempt) => {
          attempts.set(job.id, [...(attempts.get(job.id) ?? []), attempt]);
          // Before the fix every attempt fails but job 3's; after it, a first attempt still fails once.
          if (!fixed && job.to.agentId !== 'agent-3') throw new Error('451 try again later');
          if (fixed && attempt === 1) throw new Error('451 try again later');
        },
        { concurrency: 1 },
      );
      const [one, two, three] = await twoFailedOneCompleted(queue);

      await refusedNamingNotFailed(queue, queue.retryFailed([one.id, three.id, 'no-such-job']), three);

      fixed = true;
      expect(await queue.retryFailed([one.id, one.id])).toEqual([one.id]);
      await waitFor('the retried job to complete', async () => (await queue.counts()).completed === 2);
      // Its attempts counted from zero again: without, it had none left.
      expect(attempts.get(one.id)).toEqual([1, 2, 3, 1, 2]);
      expect(await queue.counts()).toEqual({ waiting: 0, delayed: 0, active: 0, completed: 2, failed: 1 });
      await expect(queue.retryFailed([one.id])).rejects.toMatchObject({ jobs: [{ id: one.id, state: 'completed' }] });

      expect(await queue.retryFailed('all')).toEqual([two.id]);
      await waitFor('every job to complete', async () => (await queue.counts()).completed === 3);
      expect(attempts.get(two.id)).toEqual([1, 2, 3, 1, 2]);
      expect(await queue.failedJobs(10)).toEqual({ jobs: [] });
      expect(await queue.retryFailed('all')).toEqual([]);
    });

    it('discards failed jobs on request, for good; refuses, discarding none, when one named is not failed', async () => {
      const queue = await open(store());
      const handled: string[] = [];
      queue.process(
        async (job) => {
          handled.push(job.id);
          if (job.to.agentId !== 'agent-3') throw new PermanentJobFailure(new Error('550 no such mailbox'));
        },
        { concurrency: 1 },
      );
      const [one, two, three] = await twoFailedOneCompleted(queue);

      await refusedNamingNotFailed(queue, queue.discardFailed([one.id, three.id, 'no-such-job']), three);

      expect(await queue.discardFailed([one.id, one.id])).toEqual([one]);
      expect(await queue.counts()).toEqual({ waiting: 0, delayed: 0, active: 0, completed: 1, failed: 1 });
      expect((await queue.failedJobs(10)).jobs).toEqual([expect.objectContaining({ job: two })]);
      await expect(queue.discardFailed([one.id])).rejects.toMatchObject({ jobs: [{ id: one.id, state: 'missing' }] });
      await expect(queue.retryFailed([one.id])).rejects.toMatchObject({ jobs: [{ id: one.id, state: 'missing' }] });

      expect(await queue.discardFailed('all')).toEqual([two]);
      expect(await queue.counts()).toEqual({ waiting: 0, delayed: 0, active: 0, completed: 1, failed: 0 });
      expect(await queue.failedJobs(10)).toEqual({ jobs: [] });
      expect(await queue.discardFailed('all')).toEqual([]);
      // Neither was handed out again.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(handled.sort()).toEqual([one.id, two.id, three.id].sort());
    });

    it('starts a job whose workers keep being killed at most its attempts times, lost ones included; gives it up and tells one worker of it, once', async () => {
      const name = store();
      const retry: RetryPolicy = { attempts: 2, backoffMs: 100 };
      const queue = await open(name, retry);
      const job = approvalJob();
      await queue.add([job]);
      const workers: QueueWorkerProcess[] = [];
      const said = (what: 'started' | 'lost'): string[] => workers.flatMap((worker) => worker.said(what));
      try {
        // Two workers at a time; killed (SIGKILL) once one runs the job, until they find it given up.
        for (let round = 1; (await queue.counts()).failed === 0; round += 1) {
          const pair = [await QueueWorkerProcess.start(h.workerArgs(name, retry)), await QueueWorkerProcess.start(h.workerArgs(name, retry))];
          workers.push(...pair);
          await waitFor(`round ${round}: the job run or given up`, async () => said('started').length === round || (await queue.counts()).failed === 1);
          if ((await queue.counts()).failed === 0) await Promise.all(pair.map((worker) => worker.stop()));
        }
        await waitFor('a worker to tell of the job lost', () => said('lost').length > 0);
        expect(said('lost')).toEqual([job.id]);
        // Each start is an attempt, numbered as such: the handler's last one knows it is the last.
        expect(workers.flatMap((worker) => worker.attemptsStarted())).toEqual([1, 2]);
        expect(await queue.counts()).toMatchObject({ failed: 1, waiting: 0, active: 0, completed: 0 });
        // No attempt failed: the queue's own reason, the same on every adapter.
        expect((await queue.failedJobs(10)).jobs).toEqual([expect.objectContaining({ job, attempts: retry.attempts, error: 'worker lost during the last attempt' })]);
      } finally {
        await Promise.all(workers.map((worker) => worker.stop()));
      }
    });

    it('leaves a job its handler says a newer release must send for a worker that knows it: no attempt spent, never given up', async () => {
      const queue = await open(store());
      // A kind this release does not know, queued by a newer release's notifier during a rolling upgrade.
      const job = { ...approvalJob(), kind: 'KIND_OF_A_NEWER_RELEASE' } as unknown as EmailJob;
      await queue.add([job]);
      const handedBack: number[] = [];
      const older = queue.process(
        async (taken, attempt) => {
          handedBack.push(attempt);
          throw new JobForNewerRelease(taken.kind, 20);
        },
        // A job given up would show as attempt -1.
        { concurrency: 1, onGivenUp: () => void handedBack.push(-1) },
      );
      // Met more often than it has attempts: none of them was one.
      await waitFor('the older worker to meet the job 2 more times than it has attempts, or it to fail', async () => handedBack.length >= RETRY.attempts + 2 || (await queue.counts()).failed > 0);
      await older.close();
      // Each time its first attempt, as if never started.
      expect(new Set(handedBack)).toEqual(new Set([1]));
      expect(await queue.counts()).toMatchObject({ failed: 0, completed: 0, active: 0 });
      const { waiting, delayed } = await queue.counts();
      expect(waiting + delayed).toBe(1);

      // A newer worker, which knows the kind, sends it once, with all its attempts: its first one fails, its second sends.
      const attempts: number[] = [];
      const newer = queue.process(
        async (taken, attempt) => {
          attempts.push(attempt);
          expect(taken).toEqual(job);
          if (attempt === 1) throw new Error('SMTP busy');
        },
        { concurrency: 1 },
      );
      await waitFor('the newer worker to send it', async () => (await queue.counts()).completed === 1);
      await newer.close();
      expect(attempts).toEqual([1, 2]);
      expect(await queue.counts()).toMatchObject({ failed: 0, completed: 1, waiting: 0, delayed: 0 });
    });

    describe('EMAIL_ATTEMPTS changed across a restart: the current value decides, whatever the job was added under', () => {
      const job = approvalJob();
      let attempts: number[];
      let givenUp: Array<[string, EmailQueueGivenUpReason]>;
      const failing: EmailJobHandler = async (_job, attempt) => {
        attempts.push(attempt);
        throw new Error(`451 try again later (attempt ${attempt})`);
      };
      /** Adds the job under `from` attempts, fails `failed` attempts, then restarts the queue with `to` attempts and a worker on it. */
      const restarted = async (from: number, failed: number, to: number): Promise<EmailQueue> => {
        attempts = [];
        givenUp = [];
        const name = store();
        // A long backoff: the next attempt does not come before the restart.
        const before = await open(name, { attempts: from, backoffMs: 1000 });
        await before.add([job]);
        before.process(failing, { concurrency: 1 });
        await waitFor(`${failed} failed attempts`, () => attempts.length === failed);
        await before.close();
        const after = await open(name, { attempts: to, backoffMs: 100 });
        after.process(failing, { concurrency: 1, onGivenUp: (lost, reason) => givenUp.push([lost.id, reason]) });
        await waitFor('the job to fail', async () => (await after.counts()).failed === 1);
        return after;
      };

      it('raised: the job gets the new attempts, and its last failed attempt, counted by the handler, gives it up', async () => {
        const after = await restarted(2, 1, 4);
        expect(attempts).toEqual([1, 2, 3, 4]);
        // The handler was told attempt 4 was the last; the queue gave nothing up behind its back.
        expect(givenUp).toEqual([]);
        expect((await after.failedJobs(10)).jobs).toEqual([expect.objectContaining({ job, attempts: 4, error: '451 try again later (attempt 4)' })]);
      });

      it('lowered below the attempts made: the job waiting for a retry is given up as out of attempts, not as its worker lost', async () => {
        const after = await restarted(3, 2, 2);
        // The worker tells of the give-up once the job is failed, which another connection may see first.
        await waitFor('the give-up to be told', () => givenUp.length > 0);
        expect(attempts).toEqual([1, 2]);
        expect(givenUp).toEqual([[job.id, 'attempts']]);
        // Its last failure's error, not the queue's reason for giving it up.
        expect((await after.failedJobs(10)).jobs).toEqual([expect.objectContaining({ job, attempts: 2, error: '451 try again later (attempt 2)' })]);
      });

      /** Runs the job's next attempt in a worker process of its own (under 3 attempts), killed once it holds the job. */
      const lostAttempt = async (name: string): Promise<void> => {
        const worker = await QueueWorkerProcess.start(h.workerArgs(name, { attempts: 3, backoffMs: 100 }));
        try {
          await waitFor('the worker process to hold the job', () => worker.said('started').length === 1);
        } finally {
          await worker.stop();
        }
      };
      /** Runs the job's next attempt in this process (under 3 attempts), failing. */
      const failedAttempt = async (name: string): Promise<void> => {
        const queue = await open(name, { attempts: 3, backoffMs: 1000 });
        const made = attempts.length;
        queue.process(failing, { concurrency: 1 });
        await waitFor('a failed attempt', () => attempts.length === made + 1);
        await queue.close();
      };
      /** The job added, its first two attempts run by `first` then `second`, then the queue restarted with 2 attempts; `error` is the one its failed job shows. */
      const lowered = async (first: (name: string) => Promise<void>, second: (name: string) => Promise<void>, error: string): Promise<void> => {
        attempts = [];
        givenUp = [];
        const name = store();
        await (await open(name)).add([job]);
        await first(name);
        await second(name);
        const after = await open(name, { attempts: 2, backoffMs: 100 });
        after.process(failing, { concurrency: 1, onGivenUp: (lost, reason) => givenUp.push([lost.id, reason]) });
        await waitFor('the job to fail', async () => (await after.counts()).failed === 1);
        await waitFor('the give-up to be told', () => givenUp.length > 0);
        expect((await after.failedJobs(10)).jobs).toEqual([expect.objectContaining({ job, attempts: 2, error })]);
      };

      it('lowered, the last attempt made lost its worker, an earlier one failed: given up as its worker lost', async () => {
        // Its last failure's error: the attempt lost since says nothing of the SMTP server.
        await lowered(failedAttempt, lostAttempt, '451 try again later (attempt 1)');
        expect(attempts).toEqual([1]);
        expect(givenUp).toEqual([[job.id, 'worker_lost']]);
      });

      it('lowered, the last attempt made failed, an earlier one lost its worker: given up as out of attempts', async () => {
        await lowered(lostAttempt, failedAttempt, '451 try again later (attempt 2)');
        expect(attempts).toEqual([2]);
        expect(givenUp).toEqual([[job.id, 'attempts']]);
      });
    });

    describe('EMAIL_BACKOFF_MS changed across a restart: the workers\' current value decides the wait, whatever the job was added under', () => {
      /** Adds a job under `added` ms of backoff, restarts the queue under `retried` with a worker failing its first attempt: the wait between its two attempts. */
      const retriedAfter = async (added: number, retried: number): Promise<number> => {
        const name = store();
        const before = await open(name, { attempts: 3, backoffMs: added });
        await before.add([approvalJob()]);
        await before.close();
        const after = await open(name, { attempts: 3, backoffMs: retried });
        const startedAt: number[] = [];
        after.process(
          async (_job, attempt) => {
            startedAt.push(Date.now());
            if (attempt === 1) throw new Error('451 try again later');
          },
          { concurrency: 1 },
        );
        await waitFor('the job to complete', async () => (await after.counts()).completed === 1);
        return startedAt[1] - startedAt[0];
      };

      it('shortened: a job added under an hour of backoff is retried after the workers\' 100 ms', async () => {
        expect(await retriedAfter(3_600_000, 100)).toBeGreaterThanOrEqual(95);
      });

      it('lengthened: a job added under 10 ms of backoff waits the workers\' 1000 ms', async () => {
        expect(await retriedAfter(10, 1000)).toBeGreaterThanOrEqual(995);
      });
    });

    it('closing a worker lets its running job finish and takes no new one', async () => {
      const queue = await open(store());
      const release = gate();
      const started: string[] = [];
      const worker = queue.process(
        async (job) => {
          started.push(job.id);
          await release.promise;
        },
        { concurrency: 1 },
      );
      const [first, second] = [approvalJob(1), approvalJob(2)];
      await queue.add([first]);
      await waitFor('the first job to start', () => started.length === 1);
      await queue.add([second]);
      // The running job ends as the close begins: a worker that fetches the next job as it records one done must not.
      const closed = worker.close();
      release.open();
      await closed;
      expect(started).toEqual([first.id]);
      expect(await queue.counts()).toMatchObject({ completed: 1, waiting: 1, active: 0 });
    });

    it('keeps its jobs across a restart', async () => {
      const name = store();
      const before = await open(name);
      const jobs = [1, 2, 3].map(approvalJob);
      await before.add(jobs);
      await before.close();
      const after = await open(name);
      expect(await after.counts()).toMatchObject({ waiting: 3 });
      const handled: string[] = [];
      after.process(async (job) => void handled.push(job.id), { concurrency: 1 });
      await waitFor('3 completed jobs', async () => (await after.counts()).completed === 3);
      expect(handled.sort()).toEqual(jobs.map((job) => job.id).sort());
    });

    it('answers ping while its store is up', async () => {
      const queue = await open(store());
      expect(await queue.ping()).toBe(true);
    });
  });
}
