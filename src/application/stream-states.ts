import { Inject, Injectable } from '@nestjs/common';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import { decode } from '../domain/events/decode';
import type { LogEvent } from '../domain/events/event-catalogue';
import { type Decider, fold } from '../domain/shared/decider';
import { orgOfStream } from '../domain/streams';
import { isCanonicalTime } from '../event-store/event-time';
import { AuditLogTampered } from './tampered-orgs';
import { EVENT_STORE, type EventStore, type ExpectedRevision, type ReadStreamOptions, type RecordedEvent } from '../event-store/event-store.port';

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
  /** Events this process appended after `state`, folded at the next load: a stream can be written many times between loads. */
  unfolded: readonly LogEvent[];
  revision: bigint;
  lastOccurredAt: string;
}

/** A state as of a log position (`loadAt`): states are never changed in place, so one can be folded on from. */
interface PastEntry {
  decider: unknown;
  state: unknown;
  position: bigint;
  /** Revision of the stream's last event at or before `position`; undefined when it had none. */
  revision: bigint | undefined;
}

/**
 * How many stream states stay in memory, current and past each; the least recently used leave
 * first. A state weighs about what its stream's events added to it (an org of 10 agents ~4.7 KB,
 * of 10,000 ~1.3 MB), so the caches are bounded by the events folded into the states they hold,
 * not only by their number: 20,000 states of large orgs would not fit in any process. A stream of
 * more events than `events` is folded at each load instead (an org of ~100,000 agents).
 */
export interface StateCacheLimits {
  states: number;
  events: number;
}
/** The app provides STREAM_STATES_IN_MEMORY and STREAM_STATE_EVENTS_IN_MEMORY; a cache built without limits (tests) has their defaults. */
export const STATE_CACHE_LIMITS = Symbol('STATE_CACHE_LIMITS');
const DEFAULT_LIMITS: StateCacheLimits = { states: 20_000, events: 100_000 };

/**
 * Events read and folded at a time. A stream no state holds yet is folded from its start: a large
 * org's directory (10,000 agents) on its first load after a start. Read and folded at once, it
 * held the API's thread for ~250 ms (the embedded log's read is synchronous), /health/live and
 * every other request waiting behind it; a page at a time, each waits for one page at most.
 */
const PAGE = 500;

/** The events a state holds (with those appended and not yet folded into it): its stream's up to `revision`; an empty one counts as one. */
const eventsIn = (revision: bigint | undefined): number => (revision === undefined ? 1 : Number(revision) + 1);

/**
 * Loads a stream's state by folding its events with the decider's own evolve: the current state
 * for commands, or the state as of a log position for readers of the past (the notifier). Current
 * states are cached with their revision and only the events after it are read, so a command costs
 * the same in an org of 10 or 10,000 agents. What this process appends goes into the cache as it
 * is written (`appended`), so a hot stream's own last events are not read back and decoded. A
 * stream this process begins is remembered only once a load asks for it: most are never loaded
 * again (a key's claim, checked once when the key is requested), and the one that is reads back
 * the few events it has.
 * The read of the tail always goes to the store, so another process's appends are never missed:
 * a decision needs that even where no append guards it (a refusal, a read, a challenge issued).
 */
@Injectable()
export class StreamStates {
  private readonly cache: LRUCache<string, CacheEntry>;
  private readonly past: LRUCache<string, PastEntry>;

  constructor(
    @Inject(EVENT_STORE) private readonly store: Pick<EventStore, 'readStream'>,
    @Inject(STATE_CACHE_LIMITS) limits: StateCacheLimits = DEFAULT_LIMITS,
  ) {
    this.cache = new LRUCache({ max: limits.states, maxSize: limits.events, sizeCalculation: (entry) => eventsIn(entry.revision) });
    this.past = new LRUCache({ max: limits.states, maxSize: limits.events, sizeCalculation: (entry) => eventsIn(entry.revision) });
  }

  /** `freshSince`: when the command's attempt began (see `retryOnConflict`); the tail holds every append acknowledged before it. */
  async load<S, E extends LogEvent>(stream: string, decider: Decider<never, S, E>, freshSince?: number): Promise<LoadedStream<S>> {
    const cached = this.cache.get(stream);
    const usable = cached && cached.decider === decider ? cached : undefined;
    const known = usable ? fold(decider, usable.unfolded as E[], usable.state as S) : decider.initialState;
    const { state, last } = await this.foldFrom(stream, decider, usable ? usable.revision + 1n : 0n, known, { freshSince });
    // Nothing new (the usual load of an org or of a caller's keys): the entry stands as it is, and `get` made it the most recent.
    if (usable && !last && usable.unfolded.length === 0) {
      return { stream, state: usable.state as S, decider, expected: usable.revision, lastOccurredAt: usable.lastOccurredAt };
    }
    const revision = last ? last.revision : usable?.revision;
    const lastOccurredAt = last ? last.metadata.occurredAt : usable?.lastOccurredAt;
    if (revision === undefined || lastOccurredAt === undefined) return { stream, state, decider, expected: 'no_stream' };
    this.cache.set(stream, { decider, state, unfolded: [], revision, lastOccurredAt });
    return { stream, state, decider, expected: revision, lastOccurredAt };
  }

  /**
   * This process appended `events` to a stream it loaded as `loaded`, and the store put the last
   * of them at `revision`: the append held its expectation, so they follow the state decided on.
   * Only a remembered state is kept current (see the class).
   */
  appended<S>(loaded: Pick<LoadedStream<S>, 'stream' | 'state' | 'decider' | 'expected'>, events: readonly LogEvent[], revision: bigint, lastOccurredAt: string): void {
    const { stream, decider, expected } = loaded;
    const cached = this.cache.get(stream);
    // A load that already read past these events (another command's) keeps its later state.
    if (expected === 'any' || !cached || cached.decider !== decider || cached.revision >= revision) return;
    this.cache.set(stream, { decider, state: loaded.state, unfolded: events, revision, lastOccurredAt });
  }

  /**
   * The stream's state as of a log position: its events up to `position` (inclusive). Readers of
   * the past go forward (the notifier, event after event), so the last state asked for is kept
   * and a later position folds on from it, reading only the events between: planning an event's
   * emails costs the same in an org of 10 or 10,000 agents. An earlier position folds from the start.
   */
  async loadAt<S, E extends LogEvent>(stream: string, decider: Decider<never, S, E>, position: bigint): Promise<S> {
    const cached = this.past.get(stream);
    const usable = cached && cached.decider === decider && cached.position <= position ? cached : undefined;
    // Every event after the kept state's last one lies past its position: the log held all before it when read.
    const from = usable?.revision === undefined ? 0n : usable.revision + 1n;
    const { state, last } = await this.foldFrom(stream, decider, from, usable ? (usable.state as S) : decider.initialState, { toPosition: position });
    this.past.set(stream, { decider, state, position, revision: last ? last.revision : usable?.revision });
    return state;
  }

  /** The stream's events from revision `from` folded onto `state`, a page at a time with the event loop's turn between pages (see PAGE); with the last event folded. */
  private async foldFrom<S, E extends LogEvent>(
    stream: string,
    decider: Decider<never, S, E>,
    from: bigint,
    state: S,
    options: Pick<ReadStreamOptions, 'freshSince' | 'toPosition'>,
  ): Promise<{ state: S; last?: RecordedEvent }> {
    let last: RecordedEvent | undefined;
    for (;;) {
      const next = last ? last.revision + 1n : from;
      const page = await this.store.readStream(stream, next, { ...options, maxCount: PAGE });
      inSequence(stream, page, next);
      state = fold(decider, page.map((event) => decode(event, decider.events)), state);
      last = page.at(-1) ?? last;
      if (page.length < PAGE) return { state, last };
      await nextTurn();
    }
  }
}

/**
 * The stream's records must follow each other from `from`, each revision an integer, each time as
 * the log writes one: the store orders them by revision, the server's check by position, so a
 * revision altered in the log's file (stored as text, which SQLite sorts after every number) would
 * have the write side fold an event after those that followed it; and a time in another form, read
 * by the leaf as the same instant, is compared here as text (the stream's clock). Refused as
 * tampering, before anything is decided on it.
 */
function inSequence(stream: string, page: readonly RecordedEvent[], from: bigint): void {
  page.forEach(({ revision, metadata }, i) => {
    const inPlace = typeof (revision as unknown) === 'bigint' && revision === from + BigInt(i) && typeof metadata.occurredAt === 'string' && isCanonicalTime(metadata.occurredAt);
    if (!inPlace) throw new AuditLogTampered(orgOfStream(stream));
  });
}
