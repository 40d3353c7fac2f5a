/**
 * The embedded trail's lines written by SQLite (audit-entry-json.ts) are byte for byte what
 * JSON.stringify writes for the entry auditEntry gives of the decoded event, for every event type
 * of the catalogue and for strings JSON escapes; a page holding a row SQLite does not write is
 * answered from the decoded entries, and pages, filters and an empty log read as `find` does.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { decode } from '../../src/domain/events/decode';
import { EVENT_CATALOGUE } from '../../src/domain/events/event-catalogue';
import type { EventMetadata } from '../../src/event-store/event-store.port';
import { INSERT_EVENT_SQL } from '../../src/event-store/sqlite/sqlite-event-log';
import { EVENT_COLUMNS, fromRawRow, type RawEventRow } from '../../src/event-store/sqlite/sqlite-event-store';
import { documentsJson } from '../../src/read-models/documents-json';
import type { DocumentQuery } from '../../src/read-models/read-model-store.port';
import { auditLineSql } from '../../src/read-models/sqlite/audit-entry-json';
import { EventLogAuditTrail } from '../../src/read-models/sqlite/event-log-audit-trail';
import { auditEntry } from '../../src/transparency/audit-entry';
import { openEventLog } from './support/read-model-fixture';

const ORG = 'org-"quoted"\\ \u00e9';
/** Strings JSON.stringify escapes or passes through: quotes, backslashes, control characters, non-ASCII, U+2028, an emoji, NUL. */
const ODD = 'a"b\\c/\n\r\t\b\f\u0001\u001f\u007f\u2028\u2029é漢😀\u0000z';
/** The last makes orgId, a metadata field that may be missing, the line's first. */
const OMITS = [[], ['orgId'], ['orgId', 'subject'], ['eventId', 'position']];

const metadata = (i: number, overrides: Partial<EventMetadata> = {}): EventMetadata => ({
  actor: i % 3 === 0 ? ODD : `actor-${i % 4}`,
  orgId: ORG,
  occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
  correlationId: `corr-${ODD}-${i}`,
  causationId: `cause-${i}`,
  ...overrides,
});

/** Data of every shape the entry reads: an agentId (odd, plain, null), none, nested values and numbers. */
const dataOf = (i: number): Record<string, unknown> =>
  [
    { agentId: `agent-${i % 5}`, note: ODD, nested: { list: [1, 2.5, -0.001, 1e21, true, null, ODD] } },
    { agentId: ODD, n: 12345678901234 },
    { agentId: null, text: 'x' },
    { other: { deep: [ODD] } },
    {},
  ][i % 5];

/** The events table as a log created before its as_stored column holds it: the trail evaluates the column's expression a row. */
const createdBeforeAsStored = (path: string) => {
  const db = new Database(path);
  db.exec(`CREATE TABLE events (
    position INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, stream TEXT NOT NULL, revision INTEGER NOT NULL,
    type TEXT NOT NULL, schema_version INTEGER NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, UNIQUE (stream, revision))`);
  db.close();
};

const without = (omit: readonly string[]) => (entry: object) => JSON.stringify(Object.fromEntries(Object.entries(entry).filter(([field]) => !omit.includes(field))));

describe('audit entries written by SQLite', () => {
  it('are JSON.stringify of the decoded entry, byte for byte, for every event type and odd strings', async () => {
    const log = openEventLog();
    try {
      const types = Object.entries(EVENT_CATALOGUE);
      let i = 0;
      for (const [type, schemaVersion] of types) {
        for (let copy = 0; copy < 5; copy++, i++) {
          await log.events.append([
            {
              stream: copy === 0 ? `stream-${ODD}-${type}` : `stream-${type}`,
              expected: 'any',
              events: [{ id: randomUUID(), type, schemaVersion, data: dataOf(i), metadata: metadata(i) }],
            },
          ]);
        }
      }
      // Metadata without an org or an actor: JSON.stringify leaves the field out, and so does the
      // line, but for a first field (its comma could not go with it): that line is NULL, the row decoded.
      const { orgId: _orgId, ...noOrg } = metadata(i);
      const { actor: _actor, ...noActor } = metadata(i + 1);
      for (const meta of [noOrg, noActor]) {
        await log.events.append([{ stream: 'stream-partial', expected: 'any', events: [{ id: randomUUID(), type: 'AgentAdded', schemaVersion: 1, data: dataOf(0), metadata: meta as EventMetadata }] }]);
      }
      const db = new Database(log.path, { readonly: true });
      db.defaultSafeIntegers(true);
      try {
        const rows = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY position`).raw().all() as RawEventRow[];
        expect(new Set(rows.map((row) => row[4]))).toEqual(new Set(Object.keys(EVENT_CATALOGUE)));
        // With the table's as_stored column and with its expression, as a log created before it reads.
        for (const omit of OMITS) {
          for (const asStoredColumn of [true, false]) {
            const lines = db.prepare(`SELECT ${auditLineSql(omit, asStoredColumn)} FROM events ORDER BY position`).pluck().all() as string[];
            expect(lines).toEqual(
              rows.map((row) => {
                const entry = auditEntry(decode(fromRawRow(row)));
                const first = Object.keys(entry).find((field) => !omit.includes(field)) as keyof typeof entry;
                return entry[first] === undefined ? null : `${without(omit)(entry)}\n`;
              }),
            );
          }
        }
      } finally {
        db.close();
      }
    } finally {
      await log.cleanup();
    }
  });

  it.each([
    ['a log with the as_stored column', undefined],
    ['a log created before that column', createdBeforeAsStored],
  ])('give the pages, filters and empty reads of find; a page with a row decode must read is written from its decoded entries (%s)', async (_log, existing) => {
    const log = openEventLog(existing);
    const trail = () => new EventLogAuditTrail(log.path);
    const byOrg = (conditions: DocumentQuery['conditions'] = [], limit?: number, orderBy = 'position'): DocumentQuery => ({
      collection: 'audit_log',
      conditions: [{ field: 'orgId', op: 'eq', value: ORG }, ...conditions],
      orderBy,
      limit,
    });
    const agree = (reader: EventLogAuditTrail, query: DocumentQuery) => {
      for (const omit of OMITS) expect(reader.findJson(query, omit)).toEqual(documentsJson(reader.find(query), query.orderBy, omit));
    };
    const lines = (found: { ndjson: Buffer }) => found.ndjson.toString().split('\n').slice(0, -1);
    try {
      const empty = trail();
      // Given an empty log, then no lines and no last value.
      expect(empty.findJson(byOrg(), ['orgId'])).toEqual({ ndjson: Buffer.alloc(0), count: 0, last: undefined });
      empty.close();

      const types = Object.keys(EVENT_CATALOGUE);
      for (let i = 0; i < 30; i++) {
        await log.events.append([
          { stream: `agent-${i % 4}`, expected: 'any', events: [{ id: randomUUID(), type: types[i % types.length], schemaVersion: EVENT_CATALOGUE[types[i % types.length] as keyof typeof EVENT_CATALOGUE], data: dataOf(i), metadata: metadata(i) }] },
        ]);
      }
      const reader = trail();
      try {
        // Pages chained by their last position, at and across the boundaries.
        for (const limit of [1, 7, 29, 30, 31]) {
          const texts: string[] = [];
          for (let after: number | undefined; ; ) {
            const page = reader.findJson(byOrg(after === undefined ? [] : [{ field: 'position', op: 'gt', value: after }], limit), ['orgId']);
            texts.push(...lines(page));
            expect(page.count).toBe(lines(page).length);
            if (page.count < limit) break;
            after = page.last as number;
            expect(after).toBe(reader.find(byOrg([{ field: 'position', op: 'lte', value: after }])).at(-1)!.position);
          }
          expect(texts).toEqual(reader.find(byOrg()).map(without(['orgId'])));
        }
        for (const query of [
          byOrg(),
          byOrg([], 10),
          byOrg([{ field: 'actor', op: 'eq', value: ODD }]),
          byOrg([{ field: 'subject', op: 'eq', value: ODD }]),
          byOrg([{ field: 'type', op: 'eq', value: types[1] }]),
          byOrg([{ field: 'type', op: 'in', value: [] }]),
          byOrg([{ field: 'occurredAt', op: 'gte', value: metadata(10).occurredAt }], 5, 'occurredAt'),
          { ...byOrg(), conditions: [{ field: 'orgId', op: 'eq', value: 'another org' }] },
        ] satisfies DocumentQuery[]) {
          agree(reader, query);
        }
      } finally {
        reader.close();
      }

      // A row SQLite does not write (an occurredAt eventTime rewrites), one without an actor (its
      // line leaves the field out, as JSON.stringify does) and one whose subject is an object.
      const raw = new Database(log.path);
      const insert = raw.prepare(INSERT_EVENT_SQL);
      const { actor: _actor, ...noActor } = metadata(40);
      let revision = 0;
      for (const [data, meta] of [
        [{ agentId: 'late' }, metadata(41, { occurredAt: '2026-01-01T00:00:41Z' })],
        [{ agentId: 'gone' }, noActor],
        [{ agentId: { id: ODD } }, metadata(42)],
      ] as const) {
        insert.run(randomUUID(), 'agent-odd', revision++, 'AgentAdded', EVENT_CATALOGUE.AgentAdded, JSON.stringify(data), JSON.stringify(meta));
      }
      raw.close();
      const afterOdd = trail();
      try {
        const last = lines(afterOdd.findJson(byOrg(), ['orgId'])).slice(-3);
        expect(last[0]).toContain('"occurredAt":"2026-01-01T00:00:41.000Z"');
        expect(last[1]).not.toContain('"actor"');
        expect(last[2]).toContain(`"subject":${JSON.stringify({ id: ODD })}`);
        for (const query of [byOrg(), byOrg([], 31), byOrg([{ field: 'position', op: 'gt', value: 30 }], 2)]) agree(afterOdd, query);
      } finally {
        afterOdd.close();
      }
    } finally {
      await log.cleanup();
    }
  });
});
