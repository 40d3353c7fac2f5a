import type { DomainEvent } from '../domain/shared/domain-event';
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
}

export const SCHEMA_VERSION = 1;

/** Wraps decider output in the stored envelope (R13): id, type, schema version, data, metadata. */
export function envelope(events: readonly DomainEvent[], context: CommandContext): NewEvent[] {
  return events.map((event) => ({
    id: newId(),
    type: event.type,
    schemaVersion: SCHEMA_VERSION,
    data: event.data as Record<string, unknown>,
    metadata: {
      actor: context.actor,
      orgId: context.orgId,
      occurredAt: context.now.toISOString(),
      correlationId: context.correlationId,
      causationId: context.commandId,
    },
  }));
}
