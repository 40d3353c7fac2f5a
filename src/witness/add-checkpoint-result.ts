import type { AddCheckpointOutcome } from './add-checkpoint';

/** What became of one add-checkpoint, as the metric and the log name it. */
export const ADD_CHECKPOINT_RESULTS = ['cosigned', 'other_size', 'forked', 'inconsistent', 'backdated', 'unknown_log', 'bad_signature', 'retired_key', 'malformed'] as const;
export type AddCheckpointResult = (typeof ADD_CHECKPOINT_RESULTS)[number];

/** A retired key that signs is a result of its own, not a bad signature: whoever signed holds the old key (a copy left on it, or a leak), which an alert pages on. */
const REFUSED: Record<string, AddCheckpointResult> = {
  FORKED_CHECKPOINT: 'forked',
  INCONSISTENT_CHECKPOINT: 'inconsistent',
  BACKDATED_CHECKPOINT: 'backdated',
  UNKNOWN_LOG: 'unknown_log',
  NOT_SIGNED_BY_LOG: 'bad_signature',
  RETIRED_LOG_KEY: 'retired_key',
};

/**
 * The refusals the witness keeps as evidence, the refused note beside the cosigned one it
 * contradicts: two notes signed by the log that prove, with its keys alone, that it misbehaved (two
 * roots of one size; a larger tree signed before a smaller one; a retired key signing after its
 * successor did). An inconsistent checkpoint is not among them: only its proof shows it, and a
 * wrong proof may be the submitter's mistake.
 */
export const EVIDENCE_KINDS = ['forked', 'backdated', 'retired_key'] as const satisfies readonly AddCheckpointResult[];
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export const isEvidence = (result: AddCheckpointResult): result is EvidenceKind => (EVIDENCE_KINDS as readonly AddCheckpointResult[]).includes(result);

/** The result of an outcome; every other refusal (a malformed body or checkpoint, a proof from 0, an old size too large) is `malformed`. */
export function addCheckpointResult(outcome: AddCheckpointOutcome): AddCheckpointResult {
  if (outcome.status === 200) return 'cosigned';
  if ('latestSize' in outcome) return 'other_size';
  return REFUSED[outcome.code] ?? 'malformed';
}
