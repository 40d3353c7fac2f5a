import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { Registry } from 'prom-client';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { EmailNotifications } from '../../src/notifications/email-notifications';
import { notificationsConfig } from '../../src/notifications/notifications.config';
import { OrgLog, type Agent, type Requested } from './support/org-log';
import { SECRET_CODE } from './support/email-jobs';
import { SmtpSink } from './support/smtp-sink';
import { waitFor } from './support/wait-for';

/** What no email may carry: the verification code (with or without spaces), the request's proof, the raw public key. */
const forbidden = (request: Requested): string[] => [
  SECRET_CODE,
  SECRET_CODE.replace(/ /g, ''),
  'c2lnbmF0dXJl',
  request.publicKey,
];

describe('notification emails, end to end (event log -> notifier -> queue -> worker -> mail)', () => {
  let dir: string;
  let events: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ztkeys-emails-'));
    events = new SqliteEventStore({ path: join(dir, 'events.sqlite'), pollIntervalMs: 20 });
  });
  afterEach(async () => {
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Sam (first key), Ada (approved by Sam) and Max (member) in "Acme Support"; then Max's request is decided by `decide`. */
  async function story(log: OrgLog, decide: (max: Agent, request: Requested, ada: Agent) => Promise<unknown>) {
    const org = await log.pendingMemberRequest('Acme Support');
    await decide(org.max, org.request, org.ada);
    return org;
  }

  it('over SMTP: each email names the org, the key fingerprint and what to do next, and holds no code or secret', async () => {
    const sink = await SmtpSink.start();
    const notifications = new EmailNotifications({
      config: notificationsConfig({ DATA_DIR: dir, SMTP_URL: sink.url, EMAIL_FROM: 'ztkeys <keys@acme.example>' }),
      events,
      registry: new Registry(),
     
      worker: true,
    });
    notifications.start();
    try {
      const log = new OrgLog(events, 'acme');
      const rejected = await story(log, (max, request, ada) => log.reject(max, request, ada, 'not on the support rota'));
      const again = await log.request(rejected.max);
      await log.lock(rejected.max, again);
      const third = await log.request(rejected.max);
      await log.approve(rejected.max, third, 'APPROVAL', rejected.ada);
      // Sam's first key, Ada's request to Sam, Ada approved, Max's 3 requests to Sam and Ada, rejected, locked, approved.
      await waitFor('12 emails', () => sink.received.length >= 12);

      const mail = (to: Agent, subject: RegExp, fingerprint: string): ParsedMail => {
        const found = sink.received.filter(
          (m) => m.rcptTo.includes(to.email) && subject.test(m.parsed.subject ?? '') && m.parsed.text?.includes(fingerprint),
        );
        expect(found).toHaveLength(1);
        return found[0].parsed;
      };
      const expectEmail = (m: ParsedMail, fingerprint: string, mustSay: RegExp[]): void => {
        for (const body of [m.text ?? '', m.html || '']) {
          expect(body).toContain('Acme Support');
          expect(body).toContain(fingerprint);
          expect(body).toMatch(/What to do next/);
          for (const phrase of mustSay) expect(body).toMatch(phrase);
        }
      };
      const { sam, ada, max } = rejected;

      const waiting = mail(ada, /Max asks for a signature key/, rejected.request.fingerprint);
      expect(waiting.subject).toBe('[Acme Support] Max asks for a signature key: your approval is needed');
      expect(waiting.to).toMatchObject({ value: [{ address: ada.email, name: 'Ada' }] });
      expectEmail(waiting, rejected.request.fingerprint, [/max@acme\.example/, /verification code/, /reject the request/]);

      const rejection = mail(max, /rejected/, rejected.request.fingerprint);
      expect(rejection.subject).toBe('[Acme Support] Your key request was rejected');
      expectEmail(rejection, rejected.request.fingerprint, [/Ada rejected your request/, /not on the support rota/, /request a key again/]);

      const lock = mail(max, /locked/, again.fingerprint);
      expectEmail(lock, again.fingerprint, [/5 wrong verification codes/, /Request a key again/]);

      const approval = mail(max, /active/, third.fingerprint);
      expect(approval.subject).toBe('[Acme Support] Your signature key is active');
      expectEmail(approval, third.fingerprint, [/Ada approved your signature key/, /authorize sensitive tasks/, /revoke/]);

      const samFingerprint = (await events.readStream('agent-acme~sam'))[0].data.fingerprint as string;
      expectEmail(mail(sam, /active/, samFingerprint), samFingerprint, [/first key of Acme Support/]);

      for (const received of sink.received) {
        expect(received.parsed.messageId).toMatch(/^<[0-9a-f-]{36}\.[A-Za-z0-9_-]+@acme\.example>$/);
        for (const secret of [...forbidden(rejected.request), ...forbidden(again), ...forbidden(third)]) {
          expect(received.raw).not.toContain(secret);
        }
      }
      expect(sink.received).toHaveLength(12);
      expect(new Set(sink.messageIds()).size).toBe(12);
    } finally {
      await notifications.stop();
      await sink.stop();
    }
  });

  it('embedded default: .eml files in DATA_DIR/outbox, queue and checkpoint in DATA_DIR, across a restart', async () => {
    const config = notificationsConfig({ DATA_DIR: dir });
    const registry = new Registry();
    const outbox = join(dir, 'outbox');
    const emails = (): string[] => readdirSync(outbox).filter((name) => name.endsWith('.eml'));
    const log = new OrgLog(events, 'acme');

    const first = new EmailNotifications({ config, events, registry, worker: true });
    first.start();
    let max: Agent;
    try {
      // Sam's first key, Ada's request to Sam, Ada approved, Max's request to Sam and Ada.
      ({ max } = await story(log, async () => undefined));
      await waitFor('5 emails in the outbox', () => existsSync(outbox) && emails().length >= 5);
      // An email is in the outbox before its job is marked completed (and counted as sent).
      await waitFor('5 jobs completed', async () => (await first.queue.counts()).completed >= 5);
      expect(emails()).toHaveLength(5);
      expect(await first.readiness.ping()).toBe(true);
      const metrics = await registry.metrics();
      expect(metrics).toMatch(/ztkeys_email_queue_jobs\{state="completed"\} 5/);
      expect(metrics).toMatch(/ztkeys_emails_sent_total\{kind="KEY_REQUEST_WAITING"\} 3/);
      expect(metrics).toMatch(/ztkeys_email_delivery_latency_seconds_count\{kind="KEY_APPROVED"\} 2/);
    } finally {
      await first.stop();
    }

    // Appended while stopped; the next start picks it up from the checkpoint in DATA_DIR/email.sqlite.
    const request = await log.request(max);
    await log.reject(max, request, log.agent('Sam'), 'duplicate');
    const second = new EmailNotifications({ config, events, registry: new Registry(), worker: true });
    second.start();
    try {
      await waitFor('8 emails in the outbox', () => emails().length >= 8);
      await waitFor('8 jobs completed', async () => (await second.queue.counts()).completed >= 8);
      expect(emails()).toHaveLength(8);
      const parsed = await Promise.all(emails().map((name) => simpleParser(readFileSync(join(outbox, name)))));
      const rejection = parsed.find((m) => m.subject === '[Acme Support] Your key request was rejected');
      expect(rejection?.to).toMatchObject({ value: [{ address: max.email }] });
      expect(rejection?.text).toContain(request.fingerprint);
      expect(await second.queue.counts()).toMatchObject({ completed: 8, waiting: 0, failed: 0 });
    } finally {
      await second.stop();
    }
  });
});
