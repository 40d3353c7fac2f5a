import { POLICY_ACTOR } from '../../domain/shared/actor';
import { violation } from './log-violation';
import type { Decoded } from './replayed-event';

/**
 * R20: what the deadline scheduler records when time passes (an expiry, a reminder, a recovery's
 * grant, completion or lapse) is recorded under its actor, POLICY_ACTOR, and no command records it.
 * Checked once what the event says is found due (before what records it, a grant): a refusal names
 * first what could not happen.
 */
export function byScheduler(event: Decoded<{ type: string }>, orElse = ''): void {
  if (event.actor !== POLICY_ACTOR) violation(`${event.type} was recorded for "${event.actor}", but only the deadline scheduler records it, as "${POLICY_ACTOR}"${orElse}`);
}
