import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { type CliError, usageError } from './cli-error';

/** No audit record is longer: `audit verify` refuses an export line past it. */
export const MAX_RECORD_BYTES = 1_048_576;

const BYTE_ORDER_MARK = Buffer.from([0xef, 0xbb, 0xbf]);

/** A line of an NDJSON audit export, as far as resuming it needs. */
export interface ExportRecord {
  eventId: string;
  position: number;
}

/** The two ends of an export file: what `audit export --append` checks and goes on from. */
export interface ExportFileEnds {
  first: ExportRecord;
  last: ExportRecord;
  /** Bytes up to the end of the last complete line: more is a line cut short (an export or an append interrupted). */
  complete: number;
  size: number;
}

/**
 * Reads the first and the last complete line of an export file, and no more of it (an export of
 * millions of lines is read at its ends only). Each must be a record naming its eventId and
 * position; anything else is a usage error saying why, before anything is asked or written.
 */
export function readExportEnds(path: string): ExportFileEnds {
  const refuse = (why: string) => usageError(`${path} is not an audit export ztkeys can append to: ${why}. Nothing was written.`);
  let fd: number;
  try {
    // Non-blocking: opening a FIFO to read would otherwise wait for a writer, forever.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw unreadable(path, error);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw refuse(`it is not a regular file (${kind(stats)})`);
    const size = stats.size;
    if (size === 0) throw refuse('it is empty (write a whole export first: ztkeys audit export > FILE)');
    const read = (from: number, length: number): Buffer => {
      const bytes = Buffer.alloc(length);
      let got = 0;
      while (got < length) {
        const n = readSync(fd, bytes, got, length - got, from + got);
        if (n === 0) break;
        got += n;
      }
      return bytes.subarray(0, got);
    };
    // Read as `audit verify` reads it: a byte order mark before the first line and blank lines are no records.
    const blank = (bytes: Buffer, from: number, to: number) => bytes.toString('utf8', from, to).trim() === '';
    const head = read(0, Math.min(size, MAX_RECORD_BYTES + 1));
    let firstStart = head.subarray(0, 3).equals(BYTE_ORDER_MARK) ? 3 : 0;
    let firstEnd = head.indexOf(0x0a, firstStart);
    while (firstEnd >= 0 && blank(head, firstStart, firstEnd)) [firstStart, firstEnd] = [firstEnd + 1, head.indexOf(0x0a, firstEnd + 1)];
    if (firstEnd < 0) throw refuse(`its first ${head.length} bytes hold no complete line`);
    // A line cut short at the end (at most a record long) and the last complete line before it.
    const window = Math.min(size, 2 * (MAX_RECORD_BYTES + 1));
    const tail = read(size - window, window);
    const end = tail.lastIndexOf(0x0a);
    if (end < 0 || tail.length - 1 - end > MAX_RECORD_BYTES) throw refuse('it does not end with a record');
    const startOf = (lineEnd: number) => (lineEnd === 0 ? 0 : tail.lastIndexOf(0x0a, lineEnd - 1) + 1);
    let [lastStart, lastEnd] = [startOf(end), end];
    while (lastStart > 0 && blank(tail, lastStart, lastEnd)) [lastStart, lastEnd] = [startOf(lastStart - 1), lastStart - 1];
    if (lastStart === 0 && size > window) throw refuse('its last line is longer than any record');
    if (size === window && lastStart === 0) lastStart = firstStart; // the only record: after the mark and blank lines
    const record = (line: Buffer, which: string): ExportRecord => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line.toString('utf8'));
      } catch {
        throw refuse(`its ${which} line is not JSON`);
      }
      const { eventId, position } = (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : {}) as Partial<Record<string, unknown>>;
      if (typeof eventId !== 'string') throw refuse(`its ${which} line is no audit record (it names no eventId)`);
      // The leaf leaves position out, so a file may lack it; without it there is no telling where to go on from.
      if (!Number.isSafeInteger(position) || (position as number) < 0) throw refuse(`its ${which} line carries no log position (export the log whole again)`);
      return { eventId, position: position as number };
    };
    return {
      first: record(head.subarray(firstStart, firstEnd), 'first'),
      last: record(tail.subarray(lastStart, lastEnd), 'last complete'),
      complete: size - window + end + 1,
      size,
    };
  } finally {
    closeSync(fd);
  }
}

/** FILE could not be opened or found: why, and for a missing one what to do first. */
export function unreadable(path: string, error: unknown): CliError {
  const code = (error as NodeJS.ErrnoException).code;
  return usageError(`Cannot read ${path}: ${code === 'ENOENT' ? 'no such file; write a whole export first (ztkeys audit export > FILE)' : (error as Error).message}.`);
}

function kind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  return 'a device';
}
