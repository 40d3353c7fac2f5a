import type { AddCheckpointOutcome } from './add-checkpoint';
import { addCheckpointResult, isEvidence } from './add-checkpoint-result';

/**
 * The log line of one add-checkpoint: a checkpoint signed by the log that contradicts the one
 * cosigned (another history, signed times that go back) is an error naming origin, sizes and
 * roots, the evidence that the log signed both; a retired key's checkpoint is an error naming
 * both keys, the evidence that someone still signs with it. A larger checkpoint whose proof does
 * not show it extends the one cosigned is a warning with the same fields: anyone can send a note
 * the log signed with a wrong proof, so it proves nothing of the log.
 */
export function outcomeLog(origin: string, outcome: AddCheckpointOutcome): { level: 'info' | 'warn' | 'error'; fields: Record<string, unknown>; msg: string } {
  const result = addCheckpointResult(outcome);
  if (outcome.status === 200) return { level: 'info', fields: { origin, result, size: outcome.store.size }, msg: `${origin}: cosigned size ${outcome.store.size}` };
  if ('latestSize' in outcome) return { level: 'info', fields: { origin, result, heldSize: outcome.latestSize }, msg: `${origin}: 409, holds size ${outcome.latestSize}` };
  const kept = isEvidence(result) ? ' (npm run witness -- forks prints both notes)' : '';
  const { conflict } = outcome;
  if (result === 'retired_key') return { level: 'error', fields: { origin, result, code: outcome.code }, msg: `${origin}: ${outcome.status} ${outcome.code}: ${outcome.detail}${kept}` };
  if (conflict) {
    const fields = { origin, result, code: outcome.code, cosignedSize: conflict.cosigned.size, cosignedRoot: conflict.cosigned.rootHash, size: conflict.refused.size, refusedRoot: conflict.refused.rootHash };
    const msg =
      result === 'forked'
        ? `refused a fork of ${origin}: size ${conflict.refused.size} signed with root ${conflict.refused.rootHash}, cosigned with root ${conflict.cosigned.rootHash}${kept}`
        : `refused a checkpoint of ${origin} that does not extend the one cosigned: ${outcome.detail}${kept}`;
    return { level: result === 'inconsistent' ? 'warn' : 'error', fields, msg };
  }
  return { level: 'warn', fields: { origin, result, code: outcome.code }, msg: `${origin}: ${outcome.status} ${outcome.code}: ${outcome.detail}` };
}
