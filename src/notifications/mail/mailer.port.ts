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

/**
 * Whether a rejection of `send` is a refusal of the message for good: the server answered its
 * envelope or content with a permanent negative reply (RFC 5321 §4.2.1, 5yz), so sending the
 * same message again would be refused again. Anything else (a 4yz, a lost or slow connection, a
 * server that refused the session itself) may pass on a later attempt.
 */
export const refusedForGood = (error: unknown): boolean =>
  error instanceof Error && (error as Error & { refusedForGood?: unknown }).refusedForGood === true;

/** Delivers rendered emails. Adapters: SMTP, and `.eml` files in an outbox folder. */
export interface Mailer {
  /**
   * Resolves once the message is accepted (by the SMTP server, or written to the outbox). A
   * refusal for good rejects with an error whose `refusedForGood` is true (see refusedForGood).
   */
  send(message: EmailMessage): Promise<void>;
  close(): Promise<void>;
}
