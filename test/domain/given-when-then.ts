import { decodeChecked } from '../../src/domain/events/decode-checked';
import { EVENT_CATALOGUE } from '../../src/domain/events/event-catalogue';
import { fold, type Decider } from '../../src/domain/shared/decider';
import type { DomainEvent } from '../../src/domain/shared/domain-event';
import { DomainRefusal, type RefusalKind } from '../../src/domain/shared/refusal';

/** What a decider emits passes the checked decode an audit export gets: the data shapes take every event, each optional field too. */
function decided<E extends DomainEvent>(events: E[]): E[] {
  for (const { type, data } of events) decodeChecked({ type, schemaVersion: EVENT_CATALOGUE[type as keyof typeof EVENT_CATALOGUE], data }, EVENT_CATALOGUE);
  return events;
}

/** The events a decider records for commands run one after another: a realistic `given`. */
export function history<C, S, E extends DomainEvent>(decider: Decider<C, S, E>, commands: readonly C[], given: readonly E[] = []): E[] {
  const events = [...given];
  let state = fold(decider, events);
  for (const command of commands) {
    const recorded = decided(decider.decide(command, state).events);
    state = fold(decider, recorded, state);
    events.push(...recorded);
  }
  return events;
}

/** given(events).when(command).thenEvents([...]) or .thenRefused(kind, code). */
export function given<C, S, E extends DomainEvent>(decider: Decider<C, S, E>, events: readonly E[] = []) {
  const state = fold(decider, events);
  return {
    state,
    when(command: C) {
      return {
        /** The events decided, for assertions on a part of them. */
        events: (): E[] => decided(decider.decide(command, state).events),
        /** The refusal recorded with the events, if any. */
        refusal: (): DomainRefusal | undefined => decider.decide(command, state).refusal,
        thenEvents(expected: E[]): E[] {
          const events = decided(decider.decide(command, state).events);
          expect(events).toEqual(expected);
          return events;
        },
        thenRefused(kind: RefusalKind, code: string, details?: Record<string, unknown>): DomainRefusal {
          let thrown: unknown;
          try {
            decider.decide(command, state);
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(DomainRefusal);
          const refusal = thrown as DomainRefusal;
          expect({ kind: refusal.kind, code: refusal.code }).toEqual({ kind, code });
          if (details) expect(refusal.details).toMatchObject(details);
          expect(refusal.message.length).toBeGreaterThan(20);
          return refusal;
        },
      };
    },
  };
}
