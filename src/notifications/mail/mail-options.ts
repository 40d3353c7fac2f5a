import type { SendMailOptions } from 'nodemailer';
import type { EmailMessage } from './mailer.port';

/** nodemailer's view of a message, shared by the SMTP and outbox adapters so both send the same bytes. */
export const toMailOptions = (message: EmailMessage): SendMailOptions => ({
  messageId: message.messageId,
  from: message.from,
  to: { name: message.to.name, address: message.to.address },
  subject: message.subject,
  text: message.text,
  html: message.html,
  date: message.date,
});
