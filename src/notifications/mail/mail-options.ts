import type { SendMailOptions } from 'nodemailer';
import { encodeWord } from 'nodemailer/lib/mime-funcs';
import type { EmailMessage } from './mailer.port';

/** nodemailer's view of a message, shared by the SMTP and outbox adapters so both send the same bytes. */
export const toMailOptions = (message: EmailMessage): SendMailOptions => ({
  messageId: message.messageId,
  from: message.from,
  to: { name: asWritten(message.to.name), address: message.to.address },
  subject: asWritten(message.subject),
  text: message.text,
  html: message.html,
  date: message.date,
});

/**
 * Header text that a mail client shows as written. nodemailer passes a valid RFC 2047 encoded
 * word through as already encoded, so a name such as "=?UTF-8?B?...?=" would be decoded by the
 * reader's client into whatever it hides (the controls and overrides the API refuses in names).
 * Text holding "=?" is therefore encoded whole, and decodes back to itself.
 */
const asWritten = (text: string): string => (text.includes('=?') ? encodeWord(text, 'B', 52) : text);
