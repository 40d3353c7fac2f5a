import { setTimeout as sleep } from 'node:timers/promises';
import { refusedForGood, type EmailMessage } from '../../src/notifications/mail/mailer.port';
import { SmtpMailer } from '../../src/notifications/mail/smtp-mailer';
import { mailerContract } from './mailer.contract';
import { SmtpSink } from './support/smtp-sink';
import { TricklingSmtpServer } from './support/trickling-smtp-server';
import { gate, waitFor } from './support/wait-for';

mailerContract('SMTP', async () => {
  const sink = await SmtpSink.start();
  return {
    mailer: new SmtpMailer({ url: sink.url, pool: { maxConnections: 2, maxMessages: 100 }, sendTimeoutMs: 10_000 }),
    received: async () => sink.received.map((mail) => mail.parsed),
    cleanup: () => sink.stop(),
  };
});

const message = (n = 1): EmailMessage => ({
  messageId: `<refused.${n}@ztkeys.example>`,
  from: 'ztkeys <no-reply@ztkeys.example>',
  to: { name: 'Ann', address: 'ann@example.com' },
  subject: 's',
  text: 't',
  html: '<p>h</p>',
  date: new Date(),
});

/** The error a send rejects with. */
const rejection = async (sending: Promise<void>): Promise<Error & Record<string, unknown>> => {
  const error = await sending.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof Error)) throw new Error('the send was expected to fail');
  return error as Error & Record<string, unknown>;
};

describe('SmtpMailer', () => {
  let sink: SmtpSink;
  let mailer: SmtpMailer;
  beforeEach(async () => {
    sink = await SmtpSink.start();
    mailer = new SmtpMailer({ url: sink.url, pool: { maxConnections: 1, maxMessages: 100 }, sendTimeoutMs: 10_000 });
  });
  afterEach(async () => {
    await mailer.close();
    await sink.stop();
  });

  it('fails the send while the server refuses, and delivers once it accepts', async () => {
    sink.refusing = true;
    await expect(mailer.send(message())).rejects.toThrow(/451/);
    sink.refusing = false;
    await mailer.send(message());
    expect(sink.received.map((mail) => mail.rcptTo)).toEqual([['ann@example.com']]);
  });

  it('a 5xx answer to the message (550 to RCPT TO) is a refusal for good, with the answer', async () => {
    sink.refusing = true;
    sink.refusal = { code: 550, text: 'no such mailbox' };
    const error = await rejection(mailer.send(message()));
    expect(refusedForGood(error)).toBe(true);
    expect(error).toMatchObject({ responseCode: 550, command: 'RCPT TO' });
    expect(error.message).toContain('no such mailbox');
  });

  it('a 5xx answer to the end of the message (554 content refused) is a refusal for good', async () => {
    sink.messageRefusal = { code: 554, text: 'message content refused' };
    const error = await rejection(mailer.send(message()));
    expect(refusedForGood(error)).toBe(true);
    expect(error).toMatchObject({ responseCode: 554, command: 'DATA' });
  });

  it('a 535 to the login refuses these credentials, not the message: not a refusal for good', async () => {
    sink.password = 'right';
    const wrong = new SmtpMailer({ url: sink.url.replace('//', '//keys:wrong@'), pool: { maxConnections: 1, maxMessages: 100 }, sendTimeoutMs: 10_000 });
    try {
      const error = await rejection(wrong.send(message()));
      // nodemailer calls every 5yz permanent, whatever the command.
      expect(error).toMatchObject({ responseCode: 535, permanent: true });
      expect(refusedForGood(error)).toBe(false);
    } finally {
      await wrong.close();
    }
  });

  it('a 4xx answer is not a refusal for good', async () => {
    sink.refusing = true;
    const error = await rejection(mailer.send(message()));
    expect(error).toMatchObject({ responseCode: 451 });
    expect(refusedForGood(error)).toBe(false);
  });

  it('a 421 that closes the connection is not a refusal for good, and the next send opens a new one', async () => {
    sink.refusing = true;
    sink.refusal = { code: 421, text: 'too busy, closing' };
    const error = await rejection(mailer.send(message(1)));
    expect(error).toMatchObject({ responseCode: 421 });
    expect(refusedForGood(error)).toBe(false);
    sink.refusing = false;
    await mailer.send(message(2));
    expect(sink.messageIds()).toEqual(['<refused.2@ztkeys.example>']);
  });

  it('a 554 greeting refuses this client, not the message: not a refusal for good', async () => {
    sink.greeting = { code: 554, text: 'no SMTP service for you here' };
    const error = await rejection(mailer.send(message(1)));
    // nodemailer calls every 5yz permanent, whatever the command.
    expect(error).toMatchObject({ responseCode: 554, permanent: true });
    expect(refusedForGood(error)).toBe(false);
    sink.greeting = undefined;
    await mailer.send(message(2));
    expect(sink.messageIds()).toEqual(['<refused.2@ztkeys.example>']);
  });

  it.each(['before the end', 'after the end'] as const)(
    'a connection cut during DATA (%s of the message) fails the send, not for good, and the next send goes through',
    async (when) => {
      sink.dropNext = when;
      const error = await rejection(mailer.send(message(1)));
      expect(refusedForGood(error)).toBe(false);
      await mailer.send(message(1));
      // Cut after the end, the server kept the message it never confirmed: the copy is recognisable by its Message-ID.
      expect(sink.messageIds()).toEqual(when === 'after the end' ? ['<refused.1@ztkeys.example>', '<refused.1@ztkeys.example>'] : ['<refused.1@ztkeys.example>']);
    },
  );

  it('a server that takes 35 s to answer the end of a message (content scanning) gets it once: RFC 5321 §4.5.3.2.6 asks a client to wait 10 min there', async () => {
    const answer = gate();
    sink.holdReply = answer.promise;
    const patient = new SmtpMailer({ url: sink.url, pool: { maxConnections: 1, maxMessages: 100 }, sendTimeoutMs: 60_000 });
    const later = setTimeout(answer.open, 35_000);
    try {
      await patient.send(message());
      expect(sink.messageIds()).toEqual(['<refused.1@ztkeys.example>']);
    } finally {
      clearTimeout(later);
      await patient.close();
    }
  }, 90_000);

  it('a server that never finishes its answers (a line every 100 ms, so never idle) fails the send after sendTimeoutMs, not for good, and its connection is closed', async () => {
    const slow = await TricklingSmtpServer.start();
    const bounded = new SmtpMailer({ url: slow.url, pool: { maxConnections: 1, maxMessages: 100 }, sendTimeoutMs: 1000 });
    try {
      const settled = bounded.send(message()).then(
        () => 'delivered',
        (error: unknown) => error,
      );
      // Only turns a hang into a readable failure: the bound under test is 1 s. Let go once settled: a timer left would hold the test's process after it.
      const bound = new AbortController();
      const outcome = await Promise.race([settled, sleep(15_000, 'still sending after 15 s', { signal: bound.signal }).catch(() => undefined)]).finally(() => bound.abort());
      expect(outcome).toBeInstanceOf(Error);
      expect((outcome as Error).message).toContain('SMTP_SEND_TIMEOUT_MS');
      expect(refusedForGood(outcome)).toBe(false);
      await waitFor('the connection to be closed', () => slow.open.size === 0);
    } finally {
      await bounded.close();
      await slow.stop();
    }
  }, 30_000);
});
