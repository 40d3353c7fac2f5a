/** One rendered email. */
export interface EmailMessage {
  /** RFC 5322 Message-ID, with angle brackets; stable per job (see emailMessageId). */
  messageId: string;
  from: string;
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  date: Date;
}

/** Delivers rendered emails. Adapters: SMTP, and `.eml` files in an outbox folder. */
export interface Mailer {
  /** Resolves once the message is accepted (by the SMTP server, or written to the outbox). */
  send(message: EmailMessage): Promise<void>;
  close(): Promise<void>;
}
