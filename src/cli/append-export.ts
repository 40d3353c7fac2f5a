import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, createReadStream, createWriteStream, fstatSync, openSync, readSync, rmSync, truncateSync, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AgentSession } from './agent-session';
import { ApiError } from './api-client';
import { CliError, usageError } from './cli-error';
import { EXIT } from './exit-codes';
import { readExportEnds, type ExportFileEnds, type ExportRecord } from './export-file-ends';
import { sentence } from '../shared/hidden-characters';
import type { Checkpoint } from '../transparency/checkpoint';
import { filesExtend, notWitnessed } from './witnessed-prefix';

/** What an append did. */
export interface Appended {
  /** The position the file ended at, which the new lines come after. */
  after: number;
  lines: number;
  /** The position the file ends at now. */
  lastPosition: number;
  /** Bytes of a line cut short at the file's end, cut off before the append (0 if none). */
  cutShort: number;
}

/**
 * Appends to an export file of the session's org the lines the log has past its last line, so the
 * file stays one whole export. The file's ends are checked against the server first (its first
 * line is the org's first entry, its last complete line the entry at its position), so another
 * org's export is refused with nothing written (garbage already was, by readExportEnds).
 *
 * With the checkpoint the CLI's witness accepted, the file with its new lines must extend it
 * (exit 7, nothing written, if not).
 *
 * Crash-safe by order: the new lines are downloaded whole to a file beside it first (a download
 * that breaks off leaves the export as it was), then appended. A crash during that copy can only
 * leave a line cut short at the end, which the next append cuts off and writes again (it goes on
 * from the last complete line), as it does for an export cut short by `>` redirection.
 */
export async function appendExport(session: AgentSession, path: string, ends: ExportFileEnds, witnessed?: Checkpoint): Promise<Appended> {
  const after = ends.last.position;
  const download = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.download`);
  try {
    accessSync(path, constants.W_OK);
    closeSync(openSync(download, 'wx', 0o600)); // ours alone, private from its first byte
  } catch (error) {
    throw usageError(`Cannot append to ${path}: ${(error as Error).message}. Nothing was written.`);
  }
  try {
    await checkOfThisOrg(session, path, ends.first, ends.last);
    await save(await session.api.auditExport(session.profile.orgId, after), createWriteStream(download), path);
    const lines = await countLines(download);
    // The file and its new lines must give the witnessed root: checked before the file is written.
    const reason = witnessed && (await filesExtend(witnessed, [{ path, end: ends.complete }, { path: download }]));
    if (witnessed && reason !== undefined) throw notWitnessed(witnessed, reason, `${path} was left as it was.`);
    if (ends.complete < ends.size) truncateSync(path, ends.complete);
    try {
      // flush: fsync before the stream closes, so "appended" is said of lines on the disk.
      await pipeline(createReadStream(download), createWriteStream(path, { flags: 'a', flush: true }));
    } catch (error) {
      // Part of the new lines (a disk that filled up): cut back to the file's last complete line.
      truncateSync(path, ends.complete);
      throw cannotWrite(path, error);
    }
    return { after, lines, lastPosition: lines === 0 ? after : readExportEnds(download).last.position, cutShort: ends.size - ends.complete };
  } finally {
    rmSync(download, { force: true });
  }
}

/** The file's first line is the org's first entry and its last the entry the log holds at its position. */
async function checkOfThisOrg(session: AgentSession, path: string, first: ExportRecord, last: ExportRecord): Promise<void> {
  const entryFrom = async (after: number | undefined) => {
    const query = { limit: 1, ...(after === undefined ? {} : { after }) };
    const page = await session.api.ok(session.api.http.GET('/v1/orgs/{orgId}/audit-log', { params: { path: session.org, query } }));
    return page.items[0];
  };
  const org = session.profile.orgId;
  const start = await entryFrom(undefined);
  if (start?.eventId !== first.eventId) {
    throw usageError(sentence`${path} is not an export of org ${org}: its first line is event ${first.eventId}, where the org's log starts with ${start?.eventId ?? 'nothing'}. Nothing was written.`);
  }
  // The file is this org's from its start: a read model behind its last line (a rebuild, a
  // replica) is waited for (503 READ_MODEL_BEHIND if not in time), not taken for another log.
  session.api.readAtLeast(last.position);
  let end: Awaited<ReturnType<typeof entryFrom>>;
  try {
    end = await entryFrom(last.position > 0 ? last.position - 1 : undefined);
  } catch (error) {
    if (!(error instanceof ApiError && error.problem.code === 'INVALID_MIN_POSITION')) throw error;
    throw usageError(`${path} is not an export of this server's log: its last line is at position ${last.position}, past the end of the log. Nothing was written.`);
  }
  if (end?.eventId !== last.eventId || end.position !== last.position) {
    throw usageError(
      sentence`${path} is not an export of org ${org}: its last complete line is event ${last.eventId} at position ${last.position}, which the org's log does not hold there (was the file edited?). Nothing was written.`,
    );
  }
}

/** The export's body, whole, in `to`; a download that breaks off or ends within a line is an error, and `path` is not touched. */
async function save(body: Readable, to: WriteStream, path: string): Promise<void> {
  let local: unknown;
  to.once('error', (error) => (local = error));
  try {
    await pipeline(body, to);
  } catch (error) {
    // The disk beside FILE (full, read-only) is no failure of the server: retrying it will not help.
    if (error === local) throw cannotWrite(path, error);
    throw new CliError(EXIT.SERVER, `The audit export broke off: ${(error as Error).message}. ${path} was left as it was.`);
  }
  const last = lastByte(String(to.path));
  if (last !== undefined && last !== 0x0a) throw new CliError(EXIT.SERVER, `The audit export ended within a line. ${path} was left as it was.`);
}

function cannotWrite(path: string, error: unknown): CliError {
  return usageError(`Cannot append to ${path}: ${(error as Error).message}. Nothing was added to ${path}.`);
}

function lastByte(path: string): number | undefined {
  const fd = openSync(path, 'r');
  try {
    const byte = Buffer.alloc(1);
    return readSync(fd, byte, 0, 1, Math.max(0, fstatSync(fd).size - 1)) === 1 ? byte[0] : undefined;
  } finally {
    closeSync(fd);
  }
}

async function countLines(path: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) for (let at = chunk.indexOf(0x0a); at >= 0; at = chunk.indexOf(0x0a, at + 1)) lines++;
  return lines;
}
