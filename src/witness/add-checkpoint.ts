import { parseCheckpoint, type Checkpoint } from '../transparency/checkpoint';
import { cosignatureLine, type Cosigner } from '../transparency/cosignature';
import { verifyConsistency } from '../transparency/merkle-tree';
import { InvalidNote, openNote, type NoteVerifier } from '../transparency/signed-note';
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

export type AddCheckpointOutcome =
  | { status: 200; store: WitnessedCheckpoint; cosignature: string }
  /** The old size is not the size the witness cosigned last: the answer tells it. */
  | { status: 409; latestSize: number }
  | AddCheckpointRefusal;

/** The keys of the logs witnessed whose name starts the origin: each log of ztkeys is `{key name}/{orgId}`. */
export const keysOfOrigin = (origin: string, logKeys: readonly NoteVerifier[]): NoteVerifier[] => logKeys.filter(({ name }) => origin.startsWith(`${name}/`));

/** The checkpoint of a submitted note, the origin read before any signature, as the spec's 404-then-403 order asks. */
export function submittedCheckpoint(note: string, logKeys: readonly NoteVerifier[]): { checkpoint: Checkpoint; text: string } | AddCheckpointRefusal {
  const origin = note.split('\n', 1)[0];
  const keys = keysOfOrigin(origin, logKeys);
  if (keys.length === 0) return { status: 404, code: 'UNKNOWN_LOG', detail: `"${origin}" is not a log this witness witnesses` };
  let text: string;
  try {
    text = openNote(note, keys).text;
  } catch (error) {
    if (!(error instanceof InvalidNote)) throw error;
    // A malformed note and one without a valid signature by the log's key are both not the log's.
    return { status: 403, code: 'NOT_SIGNED_BY_LOG', detail: `the checkpoint is not signed by the key of "${origin}": ${error.message}` };
  }
  try {
    return { checkpoint: parseCheckpoint(text), text };
  } catch (error) {
    if (!(error instanceof InvalidNote)) throw error;
    return { status: 400, code: 'MALFORMED_CHECKPOINT', detail: error.message };
  }
}

/**
 * tlog-witness add-checkpoint, decided against what the witness holds of the origin (`latest`,
 * read in the same transaction that stores the outcome): cosigns only a checkpoint whose old size
 * is the witness's and that the proof shows extends it. Pure: the time (POSIX seconds) comes in.
 */
export function decideAddCheckpoint(
  body: AddCheckpointBody,
  submitted: { checkpoint: Checkpoint; text: string },
  latest: WitnessedCheckpoint | undefined,
  cosigner: Cosigner,
  now: number,
): AddCheckpointOutcome {
  const { checkpoint, text } = submitted;
  const { oldSize, proof } = body;
  if (oldSize > checkpoint.size) return { status: 400, code: 'OLD_SIZE_TOO_LARGE', detail: `old size ${oldSize} is larger than the checkpoint's size ${checkpoint.size}` };
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
