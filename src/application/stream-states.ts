import { Inject, Injectable } from '@nestjs/common';
import { decode } from '../domain/events/decode';
import type { LogEvent } from '../domain/events/event-catalogue';
import { type Decider, fold } from '../domain/shared/decider';
import { EVENT_STORE, type EventStore, type ExpectedRevision } from '../event-store/event-store.port';

/** The part of a stream's decider that folds its events. */
export type StreamFold<S> = Pick<Decider<never, S, LogEvent>, 'initialState' | 'evolve'>;

export interface LoadedStream<S> {
  stream: string;
  state: S;
  /** What folded it: the event writer folds this process's own events with it too (see `appended`). */
  decider: StreamFold<S>;
  /** What to expect when appending after deciding on this state (or guarding it). */
  expected: ExpectedRevision;
  /** occurredAt of the stream's last event: the next one is never earlier (R17). */
  lastOccurredAt?: string;
}

interface CacheEntry {
  decider: unknown;
  state: unknown;
  /** Events this process appended after `state`, folded at the next load: many streams are written and not loaded again. */
  unfolded: readonly LogEvent[];
  revision: bigint;
  lastOccurredAt: string;
}

/** How many stream states stay in memory; the least recently used leave first. */
const CACHE_LIMIT = 20_000;

/**
 * Loads a stream's state by folding its events with the decider's own evolve: the current state
 * for commands, or the state as of a log position for readers of the past (the notifier). Current
 * states are cached with their revision and only the events after it are read, so a command costs
 * the same in an org of 10 or 10,000 agents. What this process appends goes into the cache as it
 * is written (`appended`), so a hot stream's own last events are not read back and decoded.
 * The read of the tail always goes to the store, so another process's appends are never missed:
 * a decision needs that even where no append guards it (a refusal, a read, a challenge issued).
 */
@Injectable()
export class StreamStates {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(@Inject(EVENT_STORE) private readonly store: Pick<EventStore, 'readStream'>) {}

  async load<S, E extends LogEvent>(stream: string, decider: Decider<never, S, E>): Promise<LoadedStream<S>> {
    const cached = this.cache.get(stream);
    const usable = cached && cached.decider === decider ? cached : undefined;
    const tail = await this.store.readStream(stream, usable ? usable.revision + 1n : 0n);
    const known = usable ? fold(decider, usable.unfolded as E[], usable.state as S) : decider.initialState;
    const state = fold(decider, tail.map((event) => decode(event, decider.events)), known);
    const last = tail[tail.length - 1];
    const revision = last ? last.revision : usable?.revision;
    const lastOccurredAt = last ? last.metadata.occurredAt : usable?.lastOccurredAt;
    if (revision === undefined || lastOccurredAt === undefined) return { stream, state, decider, expected: 'no_stream' };
    this.remember(stream, { decider, state, unfolded: [], revision, lastOccurredAt });
    return { stream, state, decider, expected: revision, lastOccurredAt };
  }

  /**
   * This process appended `events` to a stream it loaded as `loaded`, and the store put the last
   * of them at `revision`: the append held its expectation, so they follow the state decided on.
   */
  appended<S>(loaded: Pick<LoadedStream<S>, 'stream' | 'state' | 'decider' | 'expected'>, events: readonly LogEvent[], revision: bigint, lastOccurredAt: string): void {
    const { stream, decider, expected } = loaded;
    const cached = this.cache.get(stream);
    // A load that already read past these events (another command's) keeps its later state.
    if (expected === 'any' || (cached && cached.decider === decider && cached.revision >= revision)) return;
    this.remember(stream, { decider, state: loaded.state, unfolded: events, revision, lastOccurredAt });
  }

  /** Most recently used last: the least recently used leave first. */
  private remember(stream: string, entry: CacheEntry): void {
    this.cache.delete(stream);
    this.cache.set(stream, entry);
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
  }

  /** The stream's state as of a log position: its events up to `position` (inclusive). */
  async loadAt<S, E extends LogEvent>(stream: string, decider: Decider<never, S, E>, position: bigint): Promise<S> {
    const events = (await this.store.readStream(stream)).filter((event) => event.position <= position);
    return fold(decider, events.map((event) => decode(event, decider.events)));
  }
}
