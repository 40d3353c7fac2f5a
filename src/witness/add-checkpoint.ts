import { checkpointOrigin, parseCheckpoint, signedTime, type Checkpoint } from '../transparency/checkpoint';
import { cosignatureLine, type Cosigner } from '../transparency/cosignature';
import { verifyConsistency } from '../transparency/merkle-tree';
import { openSignedNote, retiredKeyFault, type LogKeyring } from '../transparency/log-keyring';
import { InvalidNote, parseNote, type NoteVerifier } from '../transparency/signed-note';
import { quoted } from '../shared/quoted';
import type { AddCheckpointBody } from './add-checkpoint-body';

/** What the witness holds of a log: the latest checkpoint it cosigned. */
export interface WitnessedCheckpoint {
  origin: string;
  size: number;
  /** Base64 of the root hash. */
  rootHash: string;
  note: string;
}

/** A checkpoint signed by the log that contradicts the one the witness cosigned last (another history, signed times that go back, a retired key). */
export interface Conflict {
  cosigned: WitnessedCheckpoint;
  refused: { size: number; rootHash: string; note: string };
}

/** Refusals of tlog-witness add-checkpoint other than the 409 of an old size that is not the witness's. */
export type AddCheckpointRefusal = { status: 400 | 403 | 404 | 409 | 422; code: string; detail: string; conflict?: Conflict };

/** A checkpoint submitted, opened: its text, the keys of its deployment (oldest first, as WITNESS_LOG_KEYS joins them by '>') and the newest of them that signed it. */
export interface SubmittedCheckpoint {
  checkpoint: Checkpoint;
  text: string;
  keys: LogKeyring;
  signedBy: NoteVerifier;
  /** Its signed time (its timestamp line). */
  at: Date;
  /**
   * The origins of its org's log: `{key name}/{orgId}` under each name of the deployment's keys. A
   * rotation to another key name goes on with the same log under another origin, as the server's
   * check and audit verify read an org's checkpoints (README: rotating the log key).
   */
  origins: string[];
}

export type AddCheckpointOutcome =
  | { status: 200; store: WitnessedCheckpoint; cosignature: string }
  /** The old size is not the size the witness cosigned last: the answer tells it. */
  | { status: 409; latestSize: number }
  | AddCheckpointRefusal;

/** The keys of a deployment whose name starts the origin: each log of ztkeys is `{key name}/{orgId}`. */
const keysOfOrigin = (origin: string, keys: LogKeyring): NoteVerifier[] => keys.filter(({ name }) => origin.startsWith(`${name}/`));

/**
 * The checkpoint of a submitted note, the origin read before any signature, as the spec's 404-then-403 order asks.
 * `deployments` are WITNESS_LOG_KEYS's, each its keys oldest first: one at most has a key name that starts the origin (the witness refuses to start with overlapping names of two).
 */
export function submittedCheckpoint(note: string, deployments: readonly LogKeyring[]): SubmittedCheckpoint | AddCheckpointRefusal {
  const origin = note.split('\n', 1)[0];
  const keys = deployments.find((deployment) => keysOfOrigin(origin, deployment).length > 0);
  // The origin is the sender's text, quoted as the server quotes it: any line up to the body's 64 KiB would be answered whole.
  if (keys === undefined) return { status: 404, code: 'UNKNOWN_LOG', detail: `${quoted(origin)} is not a log this witness witnesses` };
  let opened: { text: string; signedBy: NoteVerifier };
  try {
    opened = openSignedNote(note, keysOfOrigin(origin, keys));
  } catch (error) {
    if (!(error instanceof InvalidNote)) throw error;
    // A malformed note and one without a valid signature by the log's key are both not the log's.
    return { status: 403, code: 'NOT_SIGNED_BY_LOG', detail: `the checkpoint is not signed by the key of ${quoted(origin)}: ${error.message}` };
  }
  const orgId = origin.slice(opened.signedBy.name.length + 1);
  const origins = [...new Set(keys.map(({ name }) => checkpointOrigin(name, orgId)))];
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(opened.text);
  } catch (error) {
    if (!(error instanceof InvalidNote)) throw error;
    return { status: 400, code: 'MALFORMED_CHECKPOINT', detail: error.message };
  }
  // As audit verify and the CLI's witness refuse one: a checkpoint cosigned without its time would order none after it.
  const at = signedTime(checkpoint);
  if (!at) return { status: 400, code: 'MALFORMED_CHECKPOINT', detail: `the checkpoint of size ${checkpoint.size} has no timestamp line holding a time: the log timestamps every checkpoint it signs` };
  return { checkpoint, keys, origins, at, ...opened };
}

/** The key that signed a checkpoint the witness cosigned; none when WITNESS_LOG_KEYS no longer lists it (dropped since, it signs nothing here). */
function signerOf(cosigned: WitnessedCheckpoint, keys: LogKeyring): NoteVerifier | undefined {
  try {
    return openSignedNote(cosigned.note, keysOfOrigin(cosigned.origin, keys)).signedBy;
  } catch (error) {
    if (!(error instanceof InvalidNote)) throw error;
    return undefined;
  }
}

/**
 * The checkpoint the witness cosigned last of a log, of the latest it holds of each of the log's
 * origins, with its key: the largest of those signed by the newest key. It cosigns no checkpoint
 * smaller than the log's latest nor of a key retired before that one's, so that is the last it
 * cosigned; where it cosigned, before it read a log's origins as one, a retired key's checkpoint
 * after its successor's (the origins held apart), the successor's stays the log's.
 */
function lastCosigned(held: readonly WitnessedCheckpoint[], keys: LogKeyring): { latest: WitnessedCheckpoint; signedBy?: NoteVerifier } | undefined {
  const keyOrder = (signedBy?: NoteVerifier): number => (signedBy ? keys.indexOf(signedBy) : -1);
  return held
    .map((latest) => ({ latest, signedBy: signerOf(latest, keys) }))
    .sort((a, b) => keyOrder(a.signedBy) - keyOrder(b.signedBy) || a.latest.size - b.latest.size)
    .at(-1);
}

/**
 * tlog-witness add-checkpoint, decided against what the witness holds of the checkpoint's log
 * (`held`: the latest cosigned of each of its origins, `submitted.origins`, read in the same
 * transaction that stores the outcome): cosigns only a checkpoint whose old size is the size of the
 * log's last one cosigned, that the proof shows extends it, whose key is not one the log retired
 * before the key of that one, and which is not a larger tree signed before it. Pure: the time
 * (POSIX seconds) comes in.
 */
export function decideAddCheckpoint(
  body: AddCheckpointBody,
  submitted: SubmittedCheckpoint,
  held: readonly WitnessedCheckpoint[],
  cosigner: Cosigner,
  now: number,
): AddCheckpointOutcome {
  const { checkpoint, text } = submitted;
  const { oldSize, proof } = body;
  if (oldSize > checkpoint.size) return { status: 400, code: 'OLD_SIZE_TOO_LARGE', detail: `old size ${oldSize} is larger than the checkpoint's size ${checkpoint.size}` };
  const { latest, signedBy: earlier } = lastCosigned(held, submitted.keys) ?? {};
  const rootHash = checkpoint.rootHash.toString('base64');
  const conflict = latest && { cosigned: latest, refused: { size: checkpoint.size, rootHash, note: body.note } };
  // A key retired by a rotation signs nothing after its successor did, as the server's check and auditors hold (README: rotating the log key).
  const retired = earlier && retiredKeyFault(submitted.keys, earlier, submitted.signedBy, 'the checkpoint this witness cosigned last');
  if (retired) return { status: 403, code: 'RETIRED_LOG_KEY', detail: `the checkpoint is not the log's: ${retired}`, conflict };
  const latestSize = latest?.size ?? 0;
  if (oldSize !== latestSize) return { status: 409, latestSize };
  if (oldSize === 0 && proof.length > 0) return { status: 400, code: 'PROOF_FROM_ZERO', detail: 'the consistency proof from old size 0 is empty' };
  if (conflict && oldSize === checkpoint.size && latest.rootHash !== rootHash) {
    return { status: 409, code: 'FORKED_CHECKPOINT', detail: `this witness cosigned size ${latest.size} with root ${latest.rootHash}, not ${rootHash}: the log forked`, conflict };
  }
  // RFC 9162 2.1.4.1: a tree extends itself with no proof; lines there are the body's mistake, not the log's.
  if (oldSize === checkpoint.size && proof.length > 0) {
    return { status: 400, code: 'PROOF_BETWEEN_EQUAL_SIZES', detail: `the consistency proof from size ${oldSize} to the same size is empty, not ${proof.length} line(s)` };
  }
  if (conflict && !verifyConsistency(latest.size, checkpoint.size, Buffer.from(latest.rootHash, 'base64'), checkpoint.rootHash, proof)) {
    return {
      status: 422,
      code: 'INCONSISTENT_CHECKPOINT',
      detail: `the proof does not show that size ${checkpoint.size} (root ${rootHash}) extends size ${latest.size} (root ${latest.rootHash}) this witness cosigned`,
      conflict,
    };
  }
  // As audit verify and the CLI's witness hold: a checkpoint's signed time never goes back from the one before it.
  const latestAt = latest && signedTime(parseCheckpoint(parseNote(latest.note).text));
  const signedBefore = latestAt !== undefined && submitted.at < latestAt;
  if (conflict && signedBefore && checkpoint.size > latest.size) {
    return {
      status: 409,
      code: 'BACKDATED_CHECKPOINT',
      detail: `the checkpoint of size ${checkpoint.size} is timestamped ${submitted.at.toISOString()}, before the one of size ${latest.size} this witness cosigned (${latestAt!.toISOString()}): its signed times go back`,
      conflict,
    };
  }
  // The tree it cosigned, signed earlier (a replica behind serves its older checkpoint): cosigned, the later one held on to, as the CLI's witness keeps the one it saw.
  const store = latest && signedBefore ? latest : { origin: checkpoint.origin, size: checkpoint.size, rootHash, note: body.note };
  return { status: 200, store, cosignature: cosignatureLine(cosigner, text, now) };
}
