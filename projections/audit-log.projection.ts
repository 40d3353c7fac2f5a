import type { LogEvent } from '../src/domain/events/event-catalogue';
import type { RecordedEvent } from '../src/event-store/event-store.port';
import { auditEntry } from '../src/transparency/audit-entry';
import type { DocumentChange } from './document-change';
import type { Projection } from './projection';

export const auditLogProjection: Projection = {
  name: 'audit-log',
  version: 1,
  collections: ['audit_log'],

  project(event: RecordedEvent<LogEvent>): DocumentChange[] {
    return [{ kind: 'insert', collection: 'audit_log', id: event.id, document: auditEntry(event) }];
  },
};
