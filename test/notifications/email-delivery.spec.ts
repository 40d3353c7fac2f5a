import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { emailDelivery, NEWER_RELEASE_JOB_DELAY_MS, newerReleaseJobLogs } from '../../src/notifications/email-delivery';
import type { EmailJob } from '../../src/notifications/email-job';
import { EmailDeliveryMetrics } from '../../src/notifications/email-metrics';
import { OutboxMailer } from '../../src/notifications/mail/outbox-mailer';
import { JobForNewerRelease } from '../../src/notifications/queue/email-queue.port';
import { approvalJob } from './support/email-jobs';

describe('emailDelivery: a job of a kind this release does not know (queued by a newer release during a rolling upgrade)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ztkeys-email-delivery-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const metric = async (registry: Registry, name: string): Promise<number> =>
    ((await registry.getSingleMetric(name)?.get())?.values ?? []).reduce((sum, { value }) => sum + value, 0);

  it('is handed back to the queue, unsent, no failed attempt counted, logged (a warning the first time for its kind) and counted', async () => {
    const registry = new Registry();
    const mailer = new OutboxMailer(join(dir, 'outbox'));
    const failed: unknown[] = [];
    const handedBack: Array<{ job: EmailJob; delayMs: number }> = [];
    const deliver = emailDelivery({
      mailer,
      from: 'ztkeys <keys@acme.example>',
      attempts: 3,
      metrics: new EmailDeliveryMetrics(registry),
      onAttemptFailed: (failure) => failed.push(failure),
      onHandedBack: (job, delayMs) => handedBack.push({ job, delayMs }),
    });
    const job = { ...approvalJob(), kind: 'KIND_OF_A_NEWER_RELEASE' } as unknown as EmailJob;

    // Its last attempt by number: still not given up, nor failed.
    const handed = deliver(job, 3);
    await expect(handed).rejects.toThrow(JobForNewerRelease);
    await expect(handed).rejects.toMatchObject({ kind: 'KIND_OF_A_NEWER_RELEASE', delayMs: NEWER_RELEASE_JOB_DELAY_MS });
    expect(NEWER_RELEASE_JOB_DELAY_MS).toBe(30_000);
    expect(readdirSync(join(dir, 'outbox'))).toEqual([]);
    expect(failed).toEqual([]);
    expect(handedBack).toEqual([{ job, delayMs: NEWER_RELEASE_JOB_DELAY_MS }]);
    expect(await metric(registry, 'ztkeys_email_jobs_for_newer_release_total')).toBe(1);
    expect(await metric(registry, 'ztkeys_email_attempt_failures_total')).toBe(0);
    expect(await metric(registry, 'ztkeys_emails_given_up_total')).toBe(0);
    // A process's log of them: its first job of a kind warns, the later ones of that kind are debug lines.
    const handedBackLog = newerReleaseJobLogs();
    const line = { fields: { jobId: job.id, kind: 'KIND_OF_A_NEWER_RELEASE' }, msg: expect.stringMatching(/written by a newer ztkeys release: handed back to the queue for 30 s, no attempt spent/) };
    expect(handedBackLog(job, NEWER_RELEASE_JOB_DELAY_MS)).toEqual({ level: 'warn', ...line });
    expect(handedBackLog(job, NEWER_RELEASE_JOB_DELAY_MS)).toEqual({ level: 'debug', ...line });
    const another = { ...job, kind: 'ANOTHER_KIND_OF_A_NEWER_RELEASE' } as unknown as EmailJob;
    expect(handedBackLog(another, NEWER_RELEASE_JOB_DELAY_MS)).toMatchObject({ level: 'warn', fields: { kind: 'ANOTHER_KIND_OF_A_NEWER_RELEASE' } });
    expect(newerReleaseJobLogs()(job, NEWER_RELEASE_JOB_DELAY_MS)).toMatchObject({ level: 'warn' });

    // A kind it knows is sent as before.
    await deliver(approvalJob(2), 1);
    expect(readdirSync(join(dir, 'outbox'))).toHaveLength(1);
    expect(await metric(registry, 'ztkeys_emails_sent_total')).toBe(1);
    await mailer.close();
  });
});
