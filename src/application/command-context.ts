import { EVENT_CATALOGUE, type LogEvent } from '../domain/events/event-catalogue';
import type { NewEvent } from '../event-store/event-store.port';
import { newId } from '../shared/ids';

/** Who issued a command, when, and in which correlation: everything the envelope of its events needs. */
export interface CommandContext {
  /** agentId of the caller, or "operator". */
  actor: string;
  orgId: string;
  /** From the caller's X-Correlation-Id, else the command id. */
  correlationId: string;
  /** Unique id of this command: the causation id of the events it produces. */
  commandId: string;
  now: Date;
  /** The id of the command's event at an index, in the order it appends them: a keyed command's derived ids (idempotency.ts), else fresh ones. */
  eventId?: (index: number) => string;
}

/**
 * Wraps decider output in the stored envelope (R13): id, type, schema version, data, metadata.
 * `occurredAt` defaults to the command's time; the writer passes a later one when a stream it
 * writes already holds a later event. `firstIndex` numbers the events after those of the
 * command's earlier streams.
 */
export function envelope(events: readonly LogEvent[], context: CommandContext, occurredAt = context.now.toISOString(), firstIndex = 0): NewEvent<LogEvent>[] {
  // The fields written out, not `{ ...event, ... }`: see `decided` in event-writer.ts.
  return events.map(
    (event, index) =>
      ({
        type: event.type,
        data: event.data,
        id: context.eventId?.(firstIndex + index) ?? newId(),
        schemaVersion: EVENT_CATALOGUE[event.type],
        metadata: {
          actor: context.actor,
          orgId: context.orgId,
          occurredAt,
          correlationId: context.correlationId,
          causationId: context.commandId,
        },
      }) as NewEvent<LogEvent>,
  );
}
