import { SmtpMailer } from '../../src/notifications/mail/smtp-mailer';
import { mailerContract } from './mailer.contract';
import { SmtpSink } from './support/smtp-sink';

mailerContract('SMTP', async () => {
  const sink = await SmtpSink.start();
  return {
    mailer: new SmtpMailer({ url: sink.url, pool: { maxConnections: 2, maxMessages: 100 } }),
    received: async () => sink.received.map((mail) => mail.parsed),
    cleanup: () => sink.stop(),
  };
});

describe('SmtpMailer', () => {
  it('fails the send while the server refuses, and delivers once it accepts', async () => {
    const sink = await SmtpSink.start();
    const mailer = new SmtpMailer({ url: sink.url, pool: { maxConnections: 2, maxMessages: 100 } });
    const message = {
      messageId: '<refused.1@ztkeys.example>',
      from: 'ztkeys <no-reply@ztkeys.example>',
      to: { name: 'Ann', address: 'ann@example.com' },
      subject: 's',
      text: 't',
      html: '<p>h</p>',
      date: new Date(),
    };
    try {
      sink.refusing = true;
      await expect(mailer.send(message)).rejects.toThrow(/451/);
      sink.refusing = false;
      await mailer.send(message);
      expect(sink.received.map((mail) => mail.rcptTo)).toEqual([['ann@example.com']]);
    } finally {
      await mailer.close();
      await sink.stop();
    }
  });
});
