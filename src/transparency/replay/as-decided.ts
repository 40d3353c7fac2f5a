import canonicalize from 'canonicalize';
import { DomainRefusal } from '../../domain/shared/refusal';
import { violation } from './log-violation';
import type { Decoded } from './replayed-event';

/** A rule the write side checks with the domain's own function: its refusal is the event's violation. */
export function underRule<T>(event: { type: string }, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof DomainRefusal) violation(`${event.type}: ${error.message}`);
    throw error;
  }
}

/**
 * An event the server derives from the state at that point (the caller's role, a former value):
 * the one its decider's own `decide` gives there, for the command that wrote it, member by member.
 * `decide` runs the command on the state before the event, of which the event is the first it decides.
 */
export function asDecided(event: Decoded<{ type: string; data: unknown }>, what: string, decide: () => readonly { type: string; data: unknown }[]): void {
  let decided: readonly { type: string; data: unknown }[];
  try {
    decided = decide();
  } catch (error) {
    if (error instanceof DomainRefusal) violation(`${event.type}: ${what}, but its decider refuses it there (${error.code}): ${error.message}`);
    throw error;
  }
  const [expected] = decided;
  if (canonicalize({ type: event.type, data: event.data }) !== canonicalize(expected)) {
    violation(`${event.type}: ${what} is recorded with ${canonicalize(event.data)}, but its decider decides ${expected ? `${expected.type} ${canonicalize(expected.data)}` : 'no such event'} there`);
  }
}
