import { closeSync, openSync, readSync } from 'node:fs';
import { CliError, usageError } from './cli-error';

/**
 * A small file given on the command line, read no further than `max` bytes (a device such as
 * /dev/zero never ends); longer, or unreadable, is a usage error naming `what` and `why` none is that long.
 */
export function readBoundedText(what: string, path: string, max: number, why: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const bytes = Buffer.alloc(max + 1);
    let length = 0;
    while (length < bytes.length) {
      const read = readSync(fd, bytes, length, bytes.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > max) throw usageError(`${what} ${path} holds more than ${max >= 1024 ? `${max / 1024} KiB` : `${max} bytes`}: ${why}.`);
    return bytes.toString('utf8', 0, length);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw usageError(`Cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file.' : (error as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
