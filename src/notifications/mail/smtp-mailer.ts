import { createTransport, type NodemailerError, type Transporter } from 'nodemailer';
import type { EmailMessage, Mailer } from './mailer.port';
import { toMailOptions } from './mail-options';

/** The commands that carry the message itself: its sender, its recipient, its content. */
const MESSAGE_COMMANDS = new Set(['MAIL FROM', 'RCPT TO', 'DATA']);

/**
 * Sets `refusedForGood` (see the port) on a nodemailer error. nodemailer's `permanent` follows the
 * reply class (5yz but 503) whatever the command; a 5yz to the greeting, EHLO or AUTH refuses this
 * client's session (its address, its credentials), not the message, and passes once the operator
 * fixes that, as Postfix defers mail on a 5xx greeting (smtp_skip_5xx_greeting) or a failed login.
 */
function markRefusal(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const { permanent, command } = error as NodemailerError;
  return Object.assign(error, { refusedForGood: permanent === true && MESSAGE_COMMANDS.has(command ?? '') });
}

/** Sends through an SMTP server (SMTP_URL, e.g. smtp://user:pass@mail.example.com:587). */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;
  private readonly sendTimeoutMs: number;

  /**
   * `pool`: connections kept open to the server and messages sent on each before it is renewed.
   * `sendTimeoutMs` (SMTP_SEND_TIMEOUT_MS): a send fails past it, and its connection is closed.
   */
  constructor(options: { url: string; pool: { maxConnections: number; maxMessages: number }; sendTimeoutMs: number }) {
    this.sendTimeoutMs = options.sendTimeoutMs;
    // Bounded timeouts: a hung server fails the attempt (and it is retried) instead of holding the job
    // forever. The socket's idle bound is the send's own: a shorter one would give up on a server
    // still checking a message it then accepts, and send it twice (RFC 5321 §4.5.3.2.6 asks for 10
    // min there). Only the send's bound (the abort signal) ends a server that trickles its replies.
    this.transport = createTransport({
      url: options.url,
      pool: true,
      maxConnections: options.pool.maxConnections,
      maxMessages: options.pool.maxMessages,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: options.sendTimeoutMs,
    });
  }

  async send(message: EmailMessage): Promise<void> {
    const timeout = AbortSignal.timeout(this.sendTimeoutMs);
    try {
      await this.transport.sendMail({ ...toMailOptions(message), signal: timeout });
    } catch (error) {
      if (timeout.aborted && error instanceof Error) {
        error.message = `${error.message}: the SMTP server did not complete the send within SMTP_SEND_TIMEOUT_MS (${this.sendTimeoutMs} ms)`;
      }
      throw markRefusal(error);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
