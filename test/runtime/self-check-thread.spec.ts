/**
 * Embedded, each check of the log runs on a thread of its own that ends with it (its heap and its
 * connection's page cache go with the thread): what it finds, a failure to read the log, and a
 * stop under way reach the caller as they would from a check in its own event loop.
 */
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from '../../src/domain/events/decode';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { checkLogOnThread } from '../../src/runtime/self-check-thread';
import { eventLeafInput } from '../../src/transparency/event-leaf';
import { checkpointEvent } from '../../src/transparency/log-checkpointer';
import { checkpointStream } from '../../src/domain/streams';
import { CompactRange, leafHash } from '../../src/transparency/merkle-tree';
import { signerFromSeed, verifierKeyText } from '../../src/transparency/signed-note';
import { newEvent } from '../event-store/event-factory';

const signer = signerFromSeed('test.local/audit-log', Buffer.alloc(32, 5));
const ORG = 'org-1';
const keyring = [verifierKeyText(signer)];

describe('each check of the embedded log on a thread of its own', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-self-check-thread-'));
  const eventLogPath = join(dir, 'events.sqlite');

  beforeAll(async () => {
    // One org of 20 events and a checkpoint that signs them.
    const store = new SqliteEventStore({ path: eventLogPath });
    const agents = Array.from({ length: 20 }, (_, i) => newEvent('AgentAdded', { agentId: `a-${i}`, email: `a-${i}@example.com`, displayName: `A ${i}`, role: 'MEMBER' }));
    await store.append([{ stream: `org-${ORG}`, expected: 'no_stream', events: agents }]);
    const tree = CompactRange.empty();
    for (const record of await store.readAll(undefined, 100)) tree.append(leafHash(eventLeafInput(decode(record))));
    await store.append([{ stream: checkpointStream(ORG), expected: 'no_stream', events: [checkpointEvent(signer, ORG, tree, new Date('2026-01-01T00:00:00Z'))] }]);
    await store.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const check = (path: string, signal = new AbortController().signal) => {
    const errors: unknown[] = [];
    return checkLogOnThread({ eventLogPath: path, keyring })(signal, (error) => errors.push(error)).then((report) => ({ report, errors }));
  };

  it('reports an untouched log clean, then the event edited after its checkpoint', async () => {
    expect(await check(eventLogPath)).toEqual({ report: { faults: [], newer: [] }, errors: [] });
    const db = new Database(eventLogPath);
    try {
      db.prepare("UPDATE events SET data = json_set(data, '$.displayName', 'Mallory') WHERE json_extract(data, '$.agentId') = 'a-7'").run();
    } finally {
      db.close();
    }
    const { report, errors } = await check(eventLogPath);
    expect(errors).toEqual([]);
    expect(report?.faults).toEqual([expect.objectContaining({ orgId: ORG, reason: expect.stringContaining('do not hash to the root signed by checkpoint') })]);
  });

  it("tells why when its thread cannot open the log, and reports nothing", async () => {
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    const { report, errors } = await check(folder);
    expect(report).toBeUndefined();
    expect(errors.map(String).join('\n')).toMatch(/directory|unable to open/i);
  });

  it('reports nothing once stopped, whether under way or before it started', async () => {
    const stopping = new AbortController();
    const underWay = check(eventLogPath, stopping.signal);
    stopping.abort();
    expect(await underWay).toEqual({ report: undefined, errors: [] });
    expect(await check(eventLogPath, stopping.signal)).toEqual({ report: undefined, errors: [] });
  });
});
