import { createTransport, type Transporter } from 'nodemailer';
import type { EmailMessage, Mailer } from './mailer.port';
import { toMailOptions } from './mail-options';

/** Sends through an SMTP server (SMTP_URL, e.g. smtp://user:pass@mail.example.com:587). */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  /** `pool`: connections kept open to the server and messages sent on each before it is renewed. */
  constructor(options: { url: string; pool: { maxConnections: number; maxMessages: number } }) {
    // Bounded timeouts: a hung server fails the attempt (and it is retried) instead of holding the job forever.
    this.transport = createTransport({
      url: options.url,
      pool: true,
      maxConnections: options.pool.maxConnections,
      maxMessages: options.pool.maxMessages,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  async send(message: EmailMessage): Promise<void> {
    await this.transport.sendMail(toMailOptions(message));
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
