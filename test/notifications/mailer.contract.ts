import type { ParsedMail } from 'mailparser';
import type { EmailMessage, Mailer } from '../../src/notifications/mail/mailer.port';

export interface MailerHarness {
  mailer: Mailer;
  /** Every message that arrived, parsed, in the order it arrived. */
  received(): Promise<ParsedMail[]>;
  cleanup(): Promise<void>;
}

const message = (n: number): EmailMessage => ({
  messageId: `<0190f3c2-${n}.YWdlbnQ@ztkeys.example>`,
  from: 'ztkeys <no-reply@ztkeys.example>',
  to: { name: 'Zoë Ünal', address: `zoe${n}@example.com` },
  subject: '[Café Crème] Your signature key is active',
  text: 'Hello Zoë,\n\nKey fingerprint: ab12\n',
  html: '<p>Hello Zoë,</p><p>Key fingerprint: <code>ab12</code></p>',
  date: new Date('2025-01-02T03:04:05Z'),
});

/** What every Mailer adapter guarantees; run against each adapter. */
export function mailerContract(name: string, open: () => Promise<MailerHarness>): void {
  describe(`${name}: Mailer contract`, () => {
    let h: MailerHarness;
    beforeEach(async () => {
      h = await open();
    });
    afterEach(async () => {
      await h.mailer.close();
      await h.cleanup();
    });

    it('delivers the message as given: recipient, sender, subject, text, HTML, Message-ID, date', async () => {
      await h.mailer.send(message(1));
      const [mail] = await h.received();
      expect(mail.messageId).toBe('<0190f3c2-1.YWdlbnQ@ztkeys.example>');
      expect(mail.to).toMatchObject({ value: [{ name: 'Zoë Ünal', address: 'zoe1@example.com' }] });
      expect(mail.from).toMatchObject({ value: [{ name: 'ztkeys', address: 'no-reply@ztkeys.example' }] });
      expect(mail.subject).toBe('[Café Crème] Your signature key is active');
      expect(mail.text).toBe('Hello Zoë,\n\nKey fingerprint: ab12\n');
      expect(mail.html).toBe('<p>Hello Zoë,</p><p>Key fingerprint: <code>ab12</code></p>');
      expect(mail.date?.toISOString()).toBe('2025-01-02T03:04:05.000Z');
    });

    it('a message sent again carries the same Message-ID, so the copy is recognisable', async () => {
      await h.mailer.send(message(2));
      await h.mailer.send(message(2));
      await h.mailer.send(message(3));
      const ids = (await h.received()).map((mail) => mail.messageId);
      expect(new Set(ids)).toEqual(new Set(['<0190f3c2-2.YWdlbnQ@ztkeys.example>', '<0190f3c2-3.YWdlbnQ@ztkeys.example>']));
    });
  });
}
