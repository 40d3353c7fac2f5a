import type { AddCheckpointOutcome } from './add-checkpoint';

/** What became of one add-checkpoint, as the metric and the log name it. */
export const ADD_CHECKPOINT_RESULTS = ['cosigned', 'other_size', 'forked', 'inconsistent', 'unknown_log', 'bad_signature', 'malformed'] as const;
export type AddCheckpointResult = (typeof ADD_CHECKPOINT_RESULTS)[number];

const REFUSED: Record<string, AddCheckpointResult> = { FORKED_CHECKPOINT: 'forked', INCONSISTENT_CHECKPOINT: 'inconsistent', UNKNOWN_LOG: 'unknown_log', NOT_SIGNED_BY_LOG: 'bad_signature', RETIRED_LOG_KEY: 'bad_signature' };

/** The result of an outcome; every other refusal (a malformed body or checkpoint, a proof from 0, an old size too large) is `malformed`. */
export function addCheckpointResult(outcome: AddCheckpointOutcome): AddCheckpointResult {
  if (outcome.status === 200) return 'cosigned';
  if ('latestSize' in outcome) return 'other_size';
  return REFUSED[outcome.code] ?? 'malformed';
}
