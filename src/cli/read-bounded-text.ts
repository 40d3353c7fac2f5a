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
    const text = readAtMost(fd, max);
    if (text === undefined) throw usageError(`${what} ${path} holds more than ${sizeShown(max)}: ${why}.`);
    return text;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw usageError(`Cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file.' : (error as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** What an open file, pipe or device holds as UTF-8, read to its end unless that is past `max` bytes (undefined then). */
export function readAtMost(fd: number, max: number): string | undefined {
  const bytes = Buffer.alloc(max + 1);
  let length = 0;
  while (length < bytes.length) {
    const read = readSync(fd, bytes, length, bytes.length - length, null);
    if (read === 0) break;
    length += read;
  }
  return length > max ? undefined : bytes.toString('utf8', 0, length);
}

export const sizeShown = (bytes: number): string => (bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} bytes`);
