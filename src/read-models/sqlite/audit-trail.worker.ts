/**
 * The thread of the embedded trail's NDJSON pages (see audit-trail-thread.ts): reads the event
 * log on a read-only connection of its own and posts each page asked for, its bytes moved, not copied.
 */
import { workerData } from 'node:worker_threads';
import { serveThread, toThreadError } from '../../shared/worker-thread';
import type { AuditTrailReply, AuditTrailRequest, AuditTrailThreadData } from './audit-trail-thread';
import { EventLogAuditTrail } from './event-log-audit-trail';

const data = workerData as AuditTrailThreadData;

serveThread<AuditTrailReply, AuditTrailRequest>(async (post) => {
  const trail = new EventLogAuditTrail(data.eventLogPath);
  return {
    receive: ({ id, query, omit }) => {
      try {
        const page = trail.findJson(query, omit);
        const bytes = page.ndjson.buffer;
        // SQLite's page owns its memory; a view of a shared pool would be copied whole, and is small.
        const own = page.ndjson.byteOffset === 0 && page.ndjson.byteLength === bytes.byteLength && bytes instanceof ArrayBuffer;
        post({ kind: 'page', id, page }, own ? [bytes] : []);
      } catch (error) {
        post({ kind: 'failed', id, error: toThreadError(error) });
      }
    },
    stop: async () => trail.close(),
  };
});
