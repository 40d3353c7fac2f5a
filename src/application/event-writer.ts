import { Inject, Injectable } from '@nestjs/common';
import type { LogEvent } from '../domain/events/event-catalogue';
import { EVENT_STORE, type EventStore, type ExpectedRevision } from '../event-store/event-store.port';
import { type CommandContext, envelope } from './command-context';

/** Events a decider produced for one stream, with the revision the decision was based on. */
export interface Decision {
  stream: string;
  expected: ExpectedRevision;
  events: readonly LogEvent[];
}

/** Appends the decisions of one command atomically; returns the global position reached. */
@Injectable()
export class EventWriter {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async write(context: CommandContext, ...decisions: Decision[]): Promise<bigint | undefined> {
    const writes = decisions
      .filter((decision) => decision.events.length > 0)
      .map((decision) => ({ stream: decision.stream, expected: decision.expected, events: envelope(decision.events, context) }));
    if (writes.length === 0) return undefined;
    return (await this.store.append(writes)).position;
  }
}
