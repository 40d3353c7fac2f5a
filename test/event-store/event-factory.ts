/** Events and stream names for event-store tests and their child processes. */
import { randomBytes } from 'node:crypto';
import type { NewEvent } from '../../src/event-store/event-store.port';
import { newId } from '../../src/shared/ids';

/** A stream name no other test (or other run against a shared server) uses. */
export const uniqueStream = (prefix: string): string => `${prefix}-${randomBytes(6).toString('hex')}`;

export const newEvent = (type = 'Tested', data: Record<string, unknown> = {}): NewEvent => ({
  id: newId(),
  type,
  schemaVersion: 1,
  data,
  metadata: {
    actor: 'agent-1',
    orgId: 'org-1',
    occurredAt: '2025-01-01T00:00:00.000Z',
    correlationId: newId(),
    causationId: newId(),
  },
});

export const newEvents = (count: number): NewEvent[] => Array.from({ length: count }, (_, i) => newEvent('Tested', { i }));
