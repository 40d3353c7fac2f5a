import { Inject, Injectable } from '@nestjs/common';
import type { LogEvent } from '../domain/events/event-catalogue';
import { EVENT_STORE, type EventStore, type ExpectedRevision, type StreamGuard } from '../event-store/event-store.port';
import { type CommandContext, envelope } from './command-context';
import { type LoadedStream, type StreamFold, StreamStates } from './stream-states';
import { TamperedOrgs } from './tampered-orgs';

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

/** A stream a command read to decide, and writes nothing to: the append goes through only if it has not moved. */
export const guard = ({ stream, expected }: Pick<Decision, 'stream' | 'expected'>): Decision => ({ stream, expected, events: [] });

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

/**
 * When events written to these streams are recorded: `now`, or a stream's last event's time if
 * later, since time never goes backwards within a stream, whatever this instance's clock says.
 * A rule that depends on that time (an expiry) decides at it, so that the log shows what it decided.
 */
export function recordedAt(now: Date, ...streams: Pick<Decision, 'lastOccurredAt'>[]): string {
  let at = now.toISOString();
  for (const { lastOccurredAt } of streams) if (lastOccurredAt !== undefined && lastOccurredAt > at) at = lastOccurredAt;
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
    const occurredAt = recordedAt(context.now, ...written);
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
