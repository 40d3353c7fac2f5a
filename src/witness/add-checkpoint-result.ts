import type { AddCheckpointOutcome } from './add-checkpoint';

/** What became of one add-checkpoint, as the metric and the log name it. */
export const ADD_CHECKPOINT_RESULTS = ['cosigned', 'other_size', 'forked', 'inconsistent', 'unknown_log', 'bad_signature', 'retired_key', 'malformed'] as const;
export type AddCheckpointResult = (typeof ADD_CHECKPOINT_RESULTS)[number];

/** A retired key that signs is a result of its own, not a bad signature: whoever signed holds the old key (a copy left on it, or a leak), which an alert pages on. */
const REFUSED: Record<string, AddCheckpointResult> = { FORKED_CHECKPOINT: 'forked', INCONSISTENT_CHECKPOINT: 'inconsistent', UNKNOWN_LOG: 'unknown_log', NOT_SIGNED_BY_LOG: 'bad_signature', RETIRED_LOG_KEY: 'retired_key' };

/** The result of an outcome; every other refusal (a malformed body or checkpoint, a proof from 0, an old size too large) is `malformed`. */
export function addCheckpointResult(outcome: AddCheckpointOutcome): AddCheckpointResult {
  if (outcome.status === 200) return 'cosigned';
  if ('latestSize' in outcome) return 'other_size';
  return REFUSED[outcome.code] ?? 'malformed';
}
