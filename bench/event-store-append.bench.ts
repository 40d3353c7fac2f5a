import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent } from '../src/event-store/event-store.port';
import { SqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import { INSERT_EVENT_SQL, insertEvent, openEventLog } from '../src/event-store/sqlite/sqlite-event-log';
import { newId } from '../src/shared/ids';
import type { Bench } from './bench-row';

const APPENDERS = 64;
const DURATION_MS = 4_000;

/** A key-request-sized event, the same for the store and the bare loop. */
const sampleEvent = (appender: number): NewEvent => ({
  id: newId(),
  type: 'KeyRequested',
  schemaVersion: 1,
  data: { requestId: newId(), agentId: `agent-${appender}`, kind: 'ROTATION', publicKey: 'A'.repeat(43) },
  metadata: {
    actor: `agent-${appender}`,
    orgId: 'bench-org',
    occurredAt: new Date().toISOString(),
    correlationId: newId(),
    causationId: newId(),
  },
});

/** 64 concurrent commands, each appending one event to its own stream at its exact revision. */
async function measureStore(path: string): Promise<{ perSecond: number; batchSize: number }> {
  const store = new SqliteEventStore({ path });
  const deadline = Date.now() + DURATION_MS;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: APPENDERS }, async (_, appender) => {
      const stream = `bench-${appender}`;
      for (let expected: 'no_stream' | bigint = 'no_stream'; Date.now() < deadline; ) {
        const result = await store.append([{ stream, expected, events: [sampleEvent(appender)] }]);
        expected = result.revisions.get(stream)!;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { appends, commits } = store.stats;
  await store.close();
  return { perSecond: appends / seconds, batchSize: Math.max(1, Math.round(appends / commits)) };
}

/** The ceiling: the same rows, schema and pragmas, inserted in transactions of the same size. */
function measureBareInserts(path: string, batchSize: number): number {
  const db = openEventLog(path);
  const insert = db.prepare(INSERT_EVENT_SQL);
  const revisions = new Array<bigint>(APPENDERS).fill(-1n);
  const insertBatch = db.transaction((first: number) => {
    for (let i = 0; i < batchSize; i++) {
      const appender = (first + i) % APPENDERS;
      const event = sampleEvent(appender);
      revisions[appender] += 1n;
      insertEvent(insert, `bench-${appender}`, revisions[appender], { ...event, data: JSON.stringify(event.data), metadata: JSON.stringify(event.metadata) });
    }
  }).immediate;
  const deadline = Date.now() + DURATION_MS;
  const started = process.hrtime.bigint();
  let rows = 0;
  while (Date.now() < deadline) {
    insertBatch(rows);
    rows += batchSize;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  db.close();
  return rows / seconds;
}

export const appendBench: Bench = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-bench-'));
  try {
    const store = await measureStore(join(dir, 'store.db'));
    const bare = measureBareInserts(join(dir, 'bare.db'), store.batchSize);
    return [
      {
        name: `event appends, embedded SQLite store (${APPENDERS} concurrent commands, ~${store.batchSize} per commit)`,
        value: Math.round(store.perSecond),
        unit: 'appends/s',
        ceilingName: `bare better-sqlite3 inserts, ${store.batchSize} rows per transaction`,
        ceilingValue: Math.round(bare),
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
