import { EMPTY_ROOT, HASH_SIZE } from './merkle-tree';
import { InvalidNote, openNote, parseNote, signNote, type NoteSigner, type NoteVerifier } from './signed-note';
import { isoInstant } from '../shared/iso-instant';

/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the note text
 *   <origin>\n<tree size, decimal>\n<root hash, base64>\n[extension lines]
 * Our only extension line is "timestamp <ISO-8601 UTC>": when the checkpoint was made, so two
 * checkpoints of one size prove that nothing was appended between their times.
 */
export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Buffer;
  /** Extension lines, in order, without their newlines. */
  extensions: string[];
}

const TIMESTAMP = 'timestamp ';

/** The origin line of an org's checkpoints: one log per org, all signed by the deployment's key. */
export const checkpointOrigin = (keyName: string, orgId: string): string => `${keyName}/${orgId}`;

export const timestampLine = (at: Date): string => `${TIMESTAMP}${at.toISOString()}`;

/**
 * The time of the checkpoint's timestamp line, undefined without one; an invalid Date unless it is
 * the only one and in the form `timestampLine` writes (isoInstant): readers of two timestamp lines
 * would take the first and the last.
 */
export function checkpointTime({ extensions }: Checkpoint): Date | undefined {
  const lines = extensions.filter((extension) => extension.startsWith(TIMESTAMP));
  if (lines.length === 0) return undefined;
  const text = lines[0].slice(TIMESTAMP.length);
  return new Date(lines.length === 1 ? isoInstant(text) : Number.NaN);
}

/**
 * The time a checkpoint was signed, undefined without a timestamp line holding one: the log
 * timestamps every checkpoint it signs, and one without a time orders none after it (audit verify,
 * the CLI's witness and the shared witness refuse it).
 */
export function signedTime(checkpoint: Checkpoint): Date | undefined {
  const at = checkpointTime(checkpoint);
  return at && !Number.isNaN(at.getTime()) ? at : undefined;
}

function checkLine(what: string, line: string): void {
  if (line === '' || line.includes('\n')) throw new InvalidNote(`a checkpoint's ${what} is one non-empty line`);
}

export function formatCheckpoint({ origin, size, rootHash, extensions }: Checkpoint): string {
  checkLine('origin', origin);
  extensions.forEach((extension) => checkLine('extension', extension));
  if (!Number.isSafeInteger(size) || size < 0) throw new InvalidNote('a checkpoint size is a non-negative integer');
  if (rootHash.length !== HASH_SIZE) throw new InvalidNote(`a checkpoint root hash has ${HASH_SIZE} bytes`);
  return [origin, String(size), rootHash.toString('base64'), ...extensions].map((line) => `${line}\n`).join('');
}

export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new InvalidNote('a checkpoint ends with a newline');
  const [origin, size, root, ...extensions] = text.slice(0, -1).split('\n');
  if (root === undefined) throw new InvalidNote('a checkpoint has an origin, a size and a root hash line');
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) throw new InvalidNote(`"${size}" is not a tree size`);
  const decoded = Buffer.from(root, 'base64');
  if (decoded.length !== HASH_SIZE || decoded.toString('base64') !== root) throw new InvalidNote('the root hash is not base64 of 32 bytes');
  // Copied out of Buffer's shared pool, whose 8 KiB a slice keeps alive as long as the root: one per org in the self-check.
  const rootHash = Buffer.alloc(HASH_SIZE);
  rootHash.set(decoded);
  // No tree of size 0 has another root: a witness or auditor holding one would take any history for its extension.
  if (size === '0' && !rootHash.equals(EMPTY_ROOT)) throw new InvalidNote(`a tree of size 0 has the empty tree's root ${EMPTY_ROOT.toString('base64')} (SHA-256 of nothing, RFC 9162 2.1.1), not ${root}`);
  const checkpoint = { origin, size: Number(size), rootHash, extensions };
  formatCheckpoint(checkpoint); // the remaining line rules
  return checkpoint;
}

/** The size a checkpoint note signs, its signatures unchecked (which proof to ask for; the checkpoint is opened after). */
export const checkpointSize = (note: string): number => parseCheckpoint(parseNote(note).text).size;

export const signCheckpoint = (checkpoint: Checkpoint, signer: NoteSigner): string => signNote(formatCheckpoint(checkpoint), [signer]);

/** The checkpoint of a note signed by `verifier`, for the origin expected (a checkpoint of another log proves nothing here). */
export function openCheckpoint(note: string, verifier: NoteVerifier, origin: string): Checkpoint {
  const checkpoint = parseCheckpoint(openNote(note, [verifier]).text);
  if (checkpoint.origin !== origin) throw new InvalidNote(`the checkpoint is of "${checkpoint.origin}", not "${origin}"`);
  return checkpoint;
}
