import { openCheckpoint, signedTime, type Checkpoint } from './checkpoint';
import { HASH_SIZE, verifyConsistency, type Hash } from './merkle-tree';
import { InvalidNote, type NoteVerifier } from './signed-note';

/**
 * The witness every CLI runs (R16): it keeps the last checkpoint it saw of an org and accepts the
 * server's newest one only with a consistency proof that the newer tree extends it. A server that
 * rewrote, dropped or forked history cannot produce that proof. Pure: fetching is the caller's.
 */
export interface WitnessInput {
  /** The checkpoint note seen last, if any. */
  saved?: string;
  /** The server's newest checkpoint note. */
  latest: string;
  /** The consistency proof from the saved size to the latest size. */
  proof: Hash[];
  logKey: NoteVerifier;
  /** The origin of the org's checkpoints: `{key name}/{orgId}`. */
  origin: string;
}

/** `checkpoint` is the one to keep: the server's, unless it was signed before the one seen (`newer` false). */
export type WitnessResult = { ok: true; checkpoint: Checkpoint; newer: boolean } | { ok: false; reason: string };

export function checkWitness({ saved, latest, proof, logKey, origin }: WitnessInput): WitnessResult {
  let head: Checkpoint;
  let seen: Checkpoint | undefined;
  try {
    head = openCheckpoint(latest, logKey, origin);
  } catch (error) {
    if (error instanceof InvalidNote) return { ok: false, reason: `the server's checkpoint does not open with the log key: ${error.message}` };
    throw error;
  }
  try {
    seen = saved === undefined ? undefined : openCheckpoint(saved, logKey, origin);
  } catch (error) {
    if (error instanceof InvalidNote) return { ok: false, reason: `the checkpoint saved earlier does not open with the log key: ${error.message}` };
    throw error;
  }
  // As audit verify refuses one in a file: a checkpoint kept without its time would order no later one by it.
  const headAt = signedTime(head);
  if (!headAt) {
    return { ok: false, reason: `the server's checkpoint of size ${head.size} has no timestamp line holding a time: the log timestamps every checkpoint it signs` };
  }
  if (!seen) return { ok: true, checkpoint: head, newer: true };
  if (head.size < seen.size) {
    return { ok: false, reason: `the server's log has ${head.size} events, fewer than the ${seen.size} seen signed earlier: events were removed` };
  }
  if (!verifyConsistency(seen.size, head.size, seen.rootHash, head.rootHash, proof)) {
    return {
      ok: false,
      reason: `the server's log (size ${head.size}, root ${head.rootHash.toString('base64')}) is not an extension of the one seen earlier (size ${seen.size}, root ${seen.rootHash.toString('base64')}): its history was rewritten or forked`,
    };
  }
  // An older checkpoint served again (a replica behind, or a server freezing the view) never takes the place of a newer one seen.
  const seenAt = signedTime(seen);
  if (seenAt && headAt < seenAt) {
    if (head.size > seen.size) {
      return {
        ok: false,
        reason: `the server's checkpoint of size ${head.size} is timestamped ${headAt.toISOString()}, before the one of size ${seen.size} seen earlier (${seenAt.toISOString()}): its signed times go back`,
      };
    }
    return { ok: true, checkpoint: seen, newer: false };
  }
  return { ok: true, checkpoint: head, newer: true };
}

/**
 * The hashes of a consistency answer (GET .../audit-log/consistency) for `from`..`to`, or why it
 * is none: an answer of any other shape is refused, the server being what the witness checks, not trusts.
 */
export function consistencyProofIn(answer: unknown, from: number, to: number): { proof: Hash[] } | { reason: string } {
  const { from: first, to: second, proof } = (typeof answer === 'object' && answer !== null ? answer : {}) as Record<string, unknown>;
  const hashes = first === from && second === to && Array.isArray(proof) ? proof.map((hash) => (typeof hash === 'string' ? Buffer.from(hash, 'base64') : undefined)) : undefined;
  if (hashes?.every((hash) => hash?.length === HASH_SIZE)) return { proof: hashes as Hash[] };
  return { reason: `the server's answer is no consistency proof of ${from}..${to} ({"from":${from},"to":${to},"proof":[base64 hashes of 32 bytes]})` };
}
