import type { EventVersions } from '../events/event-catalogue';
import type { DomainEvent } from './domain-event';
import type { DomainRefusal } from './refusal';

/**
 * What a decider decided. `events` are appended; `refusal` is set when the command is refused
 * but the refusal is a fact to record (a wrong verification code, a sensitive task refused): the
 * caller appends the events, then answers with it. A refusal that records nothing is thrown.
 */
export interface Outcome<E extends DomainEvent> {
  events: E[];
  refusal?: DomainRefusal;
}

/**
 * An aggregate as a pure decider: no I/O, no clock, no random ids (they come in with commands).
 * `decide` may throw a DomainRefusal, which writes nothing.
 */
export interface Decider<C, S, E extends DomainEvent> {
  initialState: S;
  /** The event types of its stream, with their schema versions: what decode lets through to evolve. */
  events: EventVersions<E>;
  decide(command: C, state: S): Outcome<E>;
  evolve(state: S, event: E): S;
}

/** Folds events into state with a decider's evolve. */
export function fold<S, E extends DomainEvent>(
  decider: Pick<Decider<unknown, S, E>, 'initialState' | 'evolve'>,
  events: readonly E[],
  from: S = decider.initialState,
): S {
  return events.reduce(decider.evolve, from);
}
