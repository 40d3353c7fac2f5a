import { parseCheckpoint, type Checkpoint } from '../transparency/checkpoint';
import { cosignatureLine, type Cosigner } from '../transparency/cosignature';
import { verifyConsistency } from '../transparency/merkle-tree';
import { openSignedNote, retiredKeyFault, type LogKeyring } from '../transparency/log-keyring';
import { InvalidNote, type NoteVerifier } from '../transparency/signed-note';
import type { AddCheckpointBody } from './add-checkpoint-body';

/** What the witness holds of a log: the latest checkpoint it cosigned. */
export interface WitnessedCheckpoint {
  origin: string;
  size: number;
  /** Base64 of the root hash. */
  rootHash: string;
  note: string;
}

/** A checkpoint signed by the log that is not the history the witness cosigned: the evidence of a fork. */
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
}

export type AddCheckpointOutcome =
  | { status: 200; store: WitnessedCheckpoint; cosignature: string }
  /** The old size is not the size the witness cosigned last: the answer tells it. */
  | { status: 409; latestSize: number }
  | AddCheckpointRefusal;

/**
 * The keys of the logs witnessed whose name starts the origin: each log of ztkeys is `{key name}/{orgId}`.
 * They are one deployment's (the witness refuses to start with overlapping names of two), in the order WITNESS_LOG_KEYS lists them: oldest first.
 */
export const keysOfOrigin = (origin: string, logKeys: readonly NoteVerifier[]): NoteVerifier[] => logKeys.filter(({ name }) => origin.startsWith(`${name}/`));

/** The checkpoint of a submitted note, the origin read before any signature, as the spec's 404-then-403 order asks. */
export function submittedCheckpoint(note: string, logKeys: readonly NoteVerifier[]): SubmittedCheckpoint | AddCheckpointRefusal {
  const origin = note.split('\n', 1)[0];
  const keys = keysOfOrigin(origin, logKeys);
  if (keys.length === 0) return { status: 404, code: 'UNKNOWN_LOG', detail: `"${origin}" is not a log this witness witnesses` };
  let opened: { text: string; signedBy: NoteVerifier };
  try {
    opened = openSignedNote(note, keys);
  } catch (error) {
    if (!(error instanceof InvalidNote)) throw error;
    // A malformed note and one without a valid signature by the log's key are both not the log's.
    return { status: 403, code: 'NOT_SIGNED_BY_LOG', detail: `the checkpoint is not signed by the key of "${origin}": ${error.message}` };
  }
  try {
    return { checkpoint: parseCheckpoint(opened.text), keys, ...opened };
  } catch (error) {
    if (!(error instanceof InvalidNote)) throw error;
    return { status: 400, code: 'MALFORMED_CHECKPOINT', detail: error.message };
  }
}

/** The key that signed the checkpoint the witness cosigned last; none when WITNESS_LOG_KEYS no longer lists it (dropped since, it signs nothing here). */
function latestSigner(latest: WitnessedCheckpoint, keys: LogKeyring): NoteVerifier | undefined {
  try {
    return openSignedNote(latest.note, keys).signedBy;
  } catch (error) {
    if (!(error instanceof InvalidNote)) throw error;
    return undefined;
  }
}

/**
 * tlog-witness add-checkpoint, decided against what the witness holds of the origin (`latest`,
 * read in the same transaction that stores the outcome): cosigns only a checkpoint whose old size
 * is the witness's, that the proof shows extends it, and whose key is not one its log retired
 * before the key of that one. Pure: the time (POSIX seconds) comes in.
 */
export function decideAddCheckpoint(
  body: AddCheckpointBody,
  submitted: SubmittedCheckpoint,
  latest: WitnessedCheckpoint | undefined,
  cosigner: Cosigner,
  now: number,
): AddCheckpointOutcome {
  const { checkpoint, text } = submitted;
  const { oldSize, proof } = body;
  if (oldSize > checkpoint.size) return { status: 400, code: 'OLD_SIZE_TOO_LARGE', detail: `old size ${oldSize} is larger than the checkpoint's size ${checkpoint.size}` };
  // A key retired by a rotation signs nothing after its successor did, as the server's check and auditors hold (README: rotating the log key).
  const earlier = latest && latestSigner(latest, submitted.keys);
  const retired = earlier && retiredKeyFault(submitted.keys, earlier, submitted.signedBy, 'the checkpoint this witness cosigned last');
  if (retired) return { status: 403, code: 'RETIRED_LOG_KEY', detail: `the checkpoint is not the log's: ${retired}` };
  const latestSize = latest?.size ?? 0;
  if (oldSize !== latestSize) return { status: 409, latestSize };
  const rootHash = checkpoint.rootHash.toString('base64');
  if (oldSize === 0 && proof.length > 0) return { status: 400, code: 'PROOF_FROM_ZERO', detail: 'the consistency proof from old size 0 is empty' };
  const conflict = latest && { cosigned: latest, refused: { size: checkpoint.size, rootHash, note: body.note } };
  if (conflict && oldSize === checkpoint.size && latest.rootHash !== rootHash) {
    return { status: 409, code: 'FORKED_CHECKPOINT', detail: `this witness cosigned size ${latest.size} with root ${latest.rootHash}, not ${rootHash}: the log forked`, conflict };
  }
  if (conflict && !verifyConsistency(latest.size, checkpoint.size, Buffer.from(latest.rootHash, 'base64'), checkpoint.rootHash, proof)) {
    return {
      status: 422,
      code: 'INCONSISTENT_CHECKPOINT',
      detail: `the proof does not show that size ${checkpoint.size} (root ${rootHash}) extends size ${latest.size} (root ${latest.rootHash}) this witness cosigned`,
      conflict,
    };
  }
  return { status: 200, store: { origin: checkpoint.origin, size: checkpoint.size, rootHash, note: body.note }, cosignature: cosignatureLine(cosigner, text, now) };
}
