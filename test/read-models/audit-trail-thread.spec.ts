/**
 * The embedded trail's NDJSON pages written on a thread of their own: the same bytes as the trail
 * on the caller's thread, its failures carried back, and a thread started again after one ended.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DocumentQuery } from '../../src/read-models/read-model-store.port';
import { AuditTrailThread } from '../../src/read-models/sqlite/audit-trail-thread';
import { EventLogAuditTrail } from '../../src/read-models/sqlite/event-log-audit-trail';
import { appendAll, syntheticCommands } from './fixtures/synthetic-log';
import { openEventLog, readWholeLog } from './support/read-model-fixture';
import { tempDir } from './support/stores';

describe('audit trail pages on a thread', () => {
  it('answers what the trail answers here, page after page, and after a close starts again', async () => {
    const log = openEventLog();
    const here = new EventLogAuditTrail(log.path);
    const thread = new AuditTrailThread(log.path);
    try {
      await appendAll(log.events, syntheticCommands({ orgs: 2, agentsPerOrg: 10, commands: 300, seed: 5 }));
      const org = (await readWholeLog(log.events)).at(-1)!.metadata.orgId;
      const page = (after: number): DocumentQuery => ({
        collection: 'audit_log',
        conditions: [{ field: 'orgId', op: 'eq', value: org }, { field: 'position', op: 'gt', value: after }],
        orderBy: 'position',
        limit: 40,
      });
      // Several pages asked at once come back each to its own request.
      const asked = [-1, 40, 80, 120].map((after) => thread.findJson(page(after), ['orgId']));
      const pages = await Promise.all(asked);
      pages.forEach((found, i) => expect(found).toEqual(here.findJson(page([-1, 40, 80, 120][i]), ['orgId'])));
      expect(pages[0].count).toBe(40);
      expect(Buffer.isBuffer(pages[0].ndjson)).toBe(true);

      await thread.close();
      expect(await thread.findJson(page(-1), [])).toEqual(here.findJson(page(-1), []));
    } finally {
      await thread.close();
      here.close();
      await log.cleanup();
    }
  });

  it('refuses a bad query with its own class, and carries back a failure of the thread', async () => {
    const dir = tempDir('audit-thread');
    const missing = new AuditTrailThread(join(dir, 'none.sqlite'));
    try {
      const operator = { $ne: null } as unknown as string;
      await expect(missing.findJson({ collection: 'audit_log', conditions: [{ field: 'orgId', op: 'eq', value: operator }], orderBy: 'position' }, [])).rejects.toThrow(TypeError);
      const query: DocumentQuery = { collection: 'audit_log', conditions: [{ field: 'orgId', op: 'eq', value: 'o' }], orderBy: 'position' };
      // No log file: the thread fails to start and ends; each page asked is refused, not left waiting.
      await expect(missing.findJson(query, [])).rejects.toThrow(/unable to open database file|exit code/);
      await expect(missing.findJson(query, [])).rejects.toThrow(/unable to open database file|exit code/);
    } finally {
      await missing.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
