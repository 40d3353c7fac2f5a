import { createTransport, type Transporter } from 'nodemailer';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { OpenedPath } from '../../shared/opened-path';
import { makePrivateDir, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../shared/private-files';
import type { EmailMessage, Mailer } from './mailer.port';
import { toMailOptions } from './mail-options';

/**
 * Writes each email as an RFC 822 `.eml` file (CRLF line ends) into a folder, for the embedded
 * default. The file is named after the Message-ID, so a job delivered twice leaves one file.
 */
export class OutboxMailer implements Mailer {
  private readonly renderer: Transporter;
  /** The folder the outbox is in (DATA_DIR). */
  private readonly parent: OpenedPath;

  constructor(private readonly dir: string) {
    this.renderer = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
    makePrivateDir(dir);
    this.parent = new OpenedPath(dirname(dir));
  }

  async send(message: EmailMessage): Promise<void> {
    const info = await this.renderer.sendMail(toMailOptions(message));
    // The folder again if it was emptied away, not its parent: a DATA_DIR moved, removed or replaced
    // under the server gets no outbox (the job fails and is retried), so it can be put back.
    this.parent.assertSameFolder();
    await mkdir(this.dir, { mode: PRIVATE_DIR_MODE }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    const file = join(this.dir, `${outboxFileName(message.messageId)}.eml`);
    // Write then rename: a reader never sees half a message, and a crash leaves at most a .tmp file.
    const partial = `${file}.${process.pid}.tmp`;
    await writeFile(partial, info.message as Buffer, { mode: PRIVATE_FILE_MODE });
    await rename(partial, file);
  }

  async close(): Promise<void> {
    this.renderer.close();
  }
}

/** A Message-ID as a file name: angle brackets dropped, anything outside [A-Za-z0-9._-] replaced. */
export const outboxFileName = (messageId: string): string =>
  messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._-]/g, '_');
