import { Inject, Injectable } from '@nestjs/common';
import type { LogEvent } from '../domain/events/event-catalogue';
import { EVENT_STORE, type EventStore, type ExpectedRevision, type StreamGuard } from '../event-store/event-store.port';
import { type CommandContext, envelope } from './command-context';
import { type LoadedStream, type StreamFold, StreamStates } from './stream-states';
import { TamperedOrgs } from './tampered-orgs';
import { CLOCK_SKEW_TOLERANCE_MS } from '../domain/shared/signed-proof';

/**
 * Events a decider produced for one stream, with the revision the decision was based on. A
 * decision with no events is a stream the command only read: it guards the append (R17).
 */
export interface Decision {
  stream: string;
  expected: ExpectedRevision;
  events: readonly LogEvent[];
  /** occurredAt of the stream's last event, as loaded. */
  lastOccurredAt?: string;
  /** The state decided on and its decider, as loaded: the stream-state cache then holds the state after the events. */
  state?: unknown;
  decider?: StreamFold<unknown>;
}

/**
 * A stream a command read to decide, and writes nothing to: the append goes through only if it has
 * not moved, and is recorded no earlier than its last event (a fact the decision relied on).
 */
export const guard = ({ stream, expected, lastOccurredAt }: Pick<Decision, 'stream' | 'expected' | 'lastOccurredAt'>): Decision => ({
  stream,
  expected,
  events: [],
  lastOccurredAt,
});

/**
 * The events decided on a loaded stream. Written out rather than `{ ...loaded, events }`: on
 * Node 20's V8 an object literal that starts with a spread and then adds a property takes a new
 * hidden class each time (slow to build, and every site it reaches goes megamorphic).
 */
export const decided = <S>(loaded: LoadedStream<S>, events: readonly LogEvent[]): Decision => ({
  stream: loaded.stream,
  expected: loaded.expected,
  events,
  lastOccurredAt: loaded.lastOccurredAt,
  state: loaded.state,
  decider: loaded.decider as StreamFold<unknown>,
});

type Dated = Pick<Decision, 'lastOccurredAt'>;

/**
 * When a decision writing to `written` streams, having read `read` ones, is recorded: `now`, or a
 * stream's last event's time if later, whatever this instance's clock says. Time never goes
 * backwards within a stream; and a decision is not dated before a fact it read (a refusal for a
 * key that another instance, its clock ahead, revoked is not dated before the revocation, where
 * an as-of query would say the key was still ACTIVE), unless that fact is dated further ahead of
 * `now` than the clocks of the instances may be apart (CLOCK_SKEW_TOLERANCE_MS): a clock fault,
 * which would otherwise date every decision reading it in its future (every approval of an
 * approver whose key stream it dated, their challenges then expired). A rule that depends on that
 * time (an expiry) decides at it, so that the log shows what it decided.
 */
export function recordedAt(now: Date, written: readonly Dated[], read: readonly Dated[] = []): string {
  let at = now.toISOString();
  for (const { lastOccurredAt } of written) if (lastOccurredAt !== undefined && lastOccurredAt > at) at = lastOccurredAt;
  const skewed = new Date(now.getTime() + CLOCK_SKEW_TOLERANCE_MS).toISOString();
  for (const { lastOccurredAt } of read) if (lastOccurredAt !== undefined && lastOccurredAt > at && lastOccurredAt <= skewed) at = lastOccurredAt;
  return at;
}

/**
 * Appends the decisions of one command atomically, guarded by every stream it only read;
 * returns the global position reached, or undefined when there was nothing to write. The
 * streams written then stand in this process's stream-state cache as they are after the append.
 * Nothing is appended for an org whose stored log the server's check found altered (AuditLogTampered):
 * every command of the API and of the deadline scheduler writes here, whichever store holds the log.
 */
@Injectable()
export class EventWriter {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly states: StreamStates,
    // Required, with no empty default: a writer built without it would take every write of a tampered org.
    private readonly tampered: TamperedOrgs,
  ) {
    if (!(tampered instanceof TamperedOrgs)) throw new TypeError('EventWriter needs the TamperedOrgs whose writes it refuses');
  }

  async write(context: CommandContext, ...decisions: Decision[]): Promise<bigint | undefined> {
    const written = decisions.filter((decision) => decision.events.length > 0);
    if (written.length === 0) return undefined;
    this.tampered.refuseWritesOf(context.orgId);
    const occurredAt = recordedAt(
      context.now,
      written,
      decisions.filter((decision) => decision.events.length === 0),
    );
    let index = 0;
    const writes = written.map(({ stream, expected, events }) => {
      const enveloped = envelope(events, context, occurredAt, index);
      index += events.length;
      return { stream, expected, events: enveloped };
    });
    const { position, revisions } = await this.store.append(writes, guardsOf(decisions, written));
    for (const { stream, expected, events, state, decider } of written) {
      if (decider) this.states.appended({ stream, expected, state, decider }, events, revisions.get(stream)!, occurredAt);
    }
    return position;
  }
}

/** The read-only expectations, each once; one already held by a write of the same stream is left to it. */
function guardsOf(decisions: readonly Decision[], written: readonly Decision[]): StreamGuard[] {
  const seen = new Set(written.map(({ stream, expected }) => `${String(expected)}@${stream}`));
  const guards: StreamGuard[] = [];
  for (const { stream, expected, events } of decisions) {
    const id = `${String(expected)}@${stream}`;
    if (events.length > 0 || seen.has(id)) continue;
    seen.add(id);
    guards.push({ stream, expected });
  }
  return guards;
}
