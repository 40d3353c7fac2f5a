/**
 * The embedded audit trail answered from the event log's own table: the same entries, pages and
 * plans as the audit-log read model a projector fills, with no copy written and a checkpoint that
 * is the head of the log.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PROJECTIONS } from '../../projections/projections';
import { INSERT_EVENT_SQL } from '../../src/event-store/sqlite/sqlite-event-log';
import type { DocumentQuery } from '../../src/read-models/read-model-store.port';
import { projectedModels } from '../../src/read-models/projected-models';
import { SqliteReadModelStore } from '../../src/read-models/sqlite/sqlite-read-model-store';
import { StoreUnavailable } from '../../src/shared/store-unavailable';
import { appendAll, syntheticCommands } from './fixtures/synthetic-log';
import { openEventLog, readWholeLog, referenceDump, startRunners, waitUntilCaughtUp } from './support/read-model-fixture';
import { tempDir } from './support/stores';
import { expectBoundedAuditScans, scanEntries } from './support/audit-scan';

describe('audit trail answered from the embedded event log', () => {
  it('gives the entries, pages and plans of the projected audit-log model, always at the head of the log', async () => {
    const log = openEventLog();
    const dir = tempDir('audit-trail');
    const fromLog = new SqliteReadModelStore({ path: join(dir, 'from-log.sqlite'), eventLogPath: log.path });
    const copied = new SqliteReadModelStore({ path: join(dir, 'copied.sqlite') });
    try {
      await appendAll(log.events, syntheticCommands({ orgs: 3, agentsPerOrg: 20, commands: 800, seed: 3 }));
      await fromLog.init();
      await copied.init();
      const runners = await startRunners(log.events, copied);
      await waitUntilCaughtUp(log.events, copied);
      await runners.stop();
      const events = await readWholeLog(log.events);
      const head = events.at(-1)!;

      expect(fromLog.servedFromLog).toEqual(new Set(['audit-log']));
      expect(projectedModels(fromLog).map((p) => p.name)).toEqual(Object.values(PROJECTIONS).map((p) => p.name).filter((name) => name !== 'audit-log'));
      expect(await fromLog.checkpointEvent('audit-log')).toEqual({ position: head.position, eventId: head.id });
      await expect(fromLog.createGeneration('audit-log')).rejects.toThrow(/answered from the event log/);
      expect(await fromLog.dump('audit_log')).toEqual(referenceDump(events).audit_log);

      const org = head.metadata.orgId;
      const agent = events.find((event) => event.metadata.orgId === org && 'agentId' in event.data)!.data.agentId as string;
      const middle = events[Math.floor(events.length / 2)];
      const queries: DocumentQuery[] = [
        { collection: 'audit_log', conditions: [{ field: 'orgId', op: 'eq', value: org }], orderBy: 'position', limit: 50 },
        { collection: 'audit_log', conditions: [{ field: 'orgId', op: 'eq', value: org }, { field: 'position', op: 'gt', value: Number(middle.position) }], orderBy: 'position', limit: 20 },
        // A reader resuming past a position (`after`) with a filter: one range on the filter's index.
        ...(['type', 'actor', 'subject'] as const).map(
          (field): DocumentQuery => ({
            collection: 'audit_log',
            conditions: [
              { field: 'orgId', op: 'eq', value: org },
              { field, op: 'eq', value: { type: 'KeyRequested', actor: head.metadata.actor, subject: agent }[field] },
              { field: 'position', op: 'gt', value: Number(middle.position) },
            ],
            orderBy: 'position',
            limit: 30,
          }),
        ),
        { collection: 'audit_log', conditions: [{ field: 'orgId', op: 'eq', value: org }, { field: 'type', op: 'eq', value: 'KeyRequested' }], orderBy: 'position', limit: 30 },
        { collection: 'audit_log', conditions: [{ field: 'orgId', op: 'eq', value: org }, { field: 'actor', op: 'eq', value: head.metadata.actor }], orderBy: 'position', limit: 30 },
        { collection: 'audit_log', conditions: [{ field: 'orgId', op: 'eq', value: org }, { field: 'subject', op: 'eq', value: agent }], orderBy: 'position' },
        {
          collection: 'audit_log',
          conditions: [
            { field: 'orgId', op: 'eq', value: org },
            { field: 'occurredAt', op: 'gte', value: middle.metadata.occurredAt },
          ],
          orderBy: 'occurredAt',
          limit: 40,
        },
        // The latest of a type (the org's latest checkpoint), and the last entries, read backwards.
        { collection: 'audit_log', conditions: [{ field: 'orgId', op: 'eq', value: org }, { field: 'type', op: 'eq', value: 'KeyRequested' }], orderBy: 'position', descending: true, limit: 1 },
        { collection: 'audit_log', conditions: [{ field: 'orgId', op: 'eq', value: org }], orderBy: 'position', descending: true, limit: 25 },
        { collection: 'audit_log', conditions: [{ field: 'orgId', op: 'eq', value: org }, { field: 'type', op: 'in', value: [] }], orderBy: 'position' },
      ];
      for (const query of queries) {
        const found = await fromLog.find(query);
        expect(found).toEqual(await copied.find(query));
        // Written from the stored rows, byte for byte what stringifying the projected documents gives.
        for (const omit of [[], ['orgId'], ['orgId', 'subject']]) expect(await fromLog.findJson(query, omit)).toEqual(await copied.findJson(query, omit));
        expect((await fromLog.explain(query)).indexed).toBe((await copied.explain(query)).indexed);
      }
      // An entry by its event id, and counts of what the queries select, as the projected model gives them.
      for (const event of [events[0], middle, head]) expect(await fromLog.findById('audit_log', event.id)).toEqual(await copied.findById('audit_log', event.id));
      expect(await fromLog.findById('audit_log', randomUUID())).toBeUndefined();
      for (const { conditions } of queries) {
        const count = await fromLog.count({ collection: 'audit_log', conditions });
        expect(count).toBe(await copied.count({ collection: 'audit_log', conditions }));
        expect(count).toBe((await copied.find({ collection: 'audit_log', conditions, orderBy: 'position' })).length);
      }
      expect(await fromLog.count({ collection: 'audit_log', conditions: [{ field: 'orgId', op: 'eq', value: org }, { field: 'position', op: 'lt', value: Number(middle.position) }] })).toBeGreaterThan(0);
      // A row decode would not give back as stored (an older schema version, data that is not an
      // object) is not copied through: it goes to decode, which refuses it here.
      const latest = head.position;
      const raw = new Database(log.path);
      const insert = raw.prepare(INSERT_EVENT_SQL);
      insert.run(randomUUID(), `agent-${org}-old`, 0, 'AgentAdded', 0, JSON.stringify({ agentId: 'old' }), JSON.stringify(head.metadata));
      insert.run(randomUUID(), `agent-${org}-array`, 0, 'AgentAdded', 1, '[]', JSON.stringify(head.metadata));
      raw.close();
      for (const [position, reason] of [
        [latest, 'unknown schema version'],
        [latest + 1n, 'its data is not an object'],
      ] as const) {
        const query: DocumentQuery = { collection: 'audit_log', conditions: [{ field: 'orgId', op: 'eq', value: org }, { field: 'position', op: 'gt', value: Number(position) }], orderBy: 'position', limit: 1 };
        await expect(fromLog.findJson(query, ['orgId'])).rejects.toThrow(reason);
      }
      // The pages the API reads are served by the log's own indexes.
      for (const query of queries.slice(0, -1)) expect({ query, plan: await fromLog.explain(query) }).toMatchObject({ query, plan: { indexed: true } });
      expect((await fromLog.find(queries[0])).length).toBe(50);
    } finally {
      await fromLog.close();
      await copied.close();
      await log.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers a damaged page of the log (a damaged copy restored) with StoreUnavailable naming the log and saying so', async () => {
    const log = openEventLog();
    const dir = tempDir('audit-trail-damaged');
    await appendAll(log.events, syntheticCommands({ orgs: 1, agentsPerOrg: 20, commands: 300, seed: 5 }));
    const org = (await readWholeLog(log.events)).at(-1)!.metadata.orgId;
    await log.events.close();
    const raw = new Database(log.path);
    raw.pragma('wal_checkpoint(TRUNCATE)');
    const leaves = raw.prepare("SELECT pageno FROM dbstat WHERE name = 'events' AND pagetype = 'leaf'").pluck().all() as number[];
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    raw.close();
    const fd = openSync(log.path, 'r+');
    for (const page of leaves) writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (page - 1) * pageSize);
    closeSync(fd);
    const fromLog = new SqliteReadModelStore({ path: join(dir, 'from-log.sqlite'), eventLogPath: log.path });
    try {
      const query: DocumentQuery = { collection: 'audit_log', conditions: [{ field: 'orgId', op: 'eq', value: org }], orderBy: 'position', limit: 50 };
      for (const read of [() => fromLog.find(query), () => fromLog.findJson(query, [])]) {
        const failure = await read().then(() => undefined, (error: unknown) => error);
        expect(failure).toBeInstanceOf(StoreUnavailable);
        expect((failure as Error).message).toBe('the event store (events.sqlite) is unavailable: database disk image is malformed: the file is damaged; put back a whole copy of it (from a backup)');
      }
    } finally {
      await fromLog.close();
      rmSync(dir, { recursive: true, force: true });
      rmSync(dirname(log.path), { recursive: true, force: true });
    }
  });

  it('examines at most a scan budget of entries a page when the filters match few of many, and the cursors still give every match', async () => {
    const log = openEventLog();
    const dir = tempDir('audit-scan');
    const fromLog = new SqliteReadModelStore({ path: join(dir, 'from-log.sqlite'), eventLogPath: log.path });
    try {
      await appendAll(log.events, syntheticCommands({ orgs: 1, agentsPerOrg: 2, commands: 1, seed: 5 }));
      const events = await readWholeLog(log.events);
      const model = events.find((event) => event.type === 'AgentAdded')!;
      const other = events.find((event) => event.type !== model.type)!;
      // Copies of a real event (so each decodes), one org's log of many entries of its type.
      const raw = new Database(log.path);
      const head = Number(raw.prepare('SELECT max(position) FROM events').pluck().get());
      const entries = scanEntries(head + 1, model.type, other.type);
      const insert = raw.prepare(INSERT_EVENT_SQL);
      raw.transaction(() => {
        for (const { position, type, actor, occurredAt } of entries) {
          const copied = type === model.type ? model : other;
          insert.run(randomUUID(), `scan-${position}`, 0, type, copied.schemaVersion, JSON.stringify(copied.data), JSON.stringify({ ...copied.metadata, orgId: 'scan', actor, occurredAt }));
        }
      })();
      raw.close();
      await fromLog.init();
      await expectBoundedAuditScans(fromLog, 'scan', entries);
    } finally {
      await fromLog.close();
      await log.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
