import type { DomainEvent } from './domain-event';

/**
 * An aggregate as a pure decider: no I/O, no clock, no random ids (they come in with commands).
 * `decide` may throw a DomainRefusal; an accepted or a recorded refusal is a list of events.
 */
export interface Decider<C, S, E extends DomainEvent> {
  initialState: S;
  decide(command: C, state: S): E[];
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
