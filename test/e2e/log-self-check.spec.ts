import { Logger } from '@nestjs/common';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { checkpointOrigin, signCheckpoint, timestampLine } from '../../src/transparency/checkpoint';
import { CHECKPOINT_SIGNED } from '../../src/transparency/log-checkpointer';
import { DEFAULT_LOG_KEY_NAME } from '../../src/transparency/log-key';
import { EMPTY_ROOT } from '../../src/transparency/merkle-tree';
import { signerFromSeed } from '../../src/transparency/signed-note';
import { call, Journey, type TestAgent } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { waitFor } from '../notifications/support/wait-for';
import { loggedEvents } from './event-log';

/**
 * The server re-derives each org's tree from the stored log and checks it against the org's
 * signed checkpoints (R16, issue 11 item 6). Each case tampers with one org's rows in the real
 * SQLite file under DATA_DIR while the server runs; the server's log must name that org, the first
 * bad index and why, and readiness fail naming none (it answers anyone). Then a restart finds every
 * one of them at start.
 */
describe("the server's check of its stored log against its signed checkpoints", () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-self-check-'));
  const env = { DATA_DIR: dataDir, LOG_CHECKPOINT_DELAY_MS: '50', LOG_SELF_CHECK_INTERVAL_MS: '200' };
  let server: TestServer;
  let db: Database.Database;
  const errors = jest.spyOn(Logger.prototype, 'error');
  beforeAll(async () => {
    server = await startTestServer(env);
    db = new Database(join(dataDir, 'events.sqlite'));
    db.pragma('busy_timeout = 5000');
  });
  afterAll(async () => {
    db.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const leaves = (events: RecordedEvent[]) => events.filter((event) => event.type !== CHECKPOINT_SIGNED);
  const checkpoints = (events: RecordedEvent[]) => events.filter((event) => event.type === CHECKPOINT_SIGNED);

  /** An org with two checkpoints: one after its first events, one after two more agents. */
  async function org(superAdmin: string): Promise<{ admin: TestAgent; events: RecordedEvent[] }> {
    const journey = new Journey(server);
    const admin = await journey.createOrg(superAdmin);
    await journey.addAgent(admin, 'bob');
    const signedAll = async (count: number) => {
      const events = await loggedEvents(server, admin.orgId);
      const signed = checkpoints(events).at(-1);
      return count === leaves(events).length && signed && (signed.data as { size: number }).size === count && events;
    };
    const first = await waitFor('a first checkpoint', async () => signedAll(leaves(await loggedEvents(server, admin.orgId)).length));
    await journey.addAgent(admin, 'carol');
    await journey.addAgent(admin, 'dave');
    const events = await waitFor('a second checkpoint', () => signedAll(leaves(first).length + 2));
    return { admin, events };
  }

  /** The faults the server logged, each "org <orgId>, index <index>: <why>". */
  const logged = (): string[] =>
    errors.mock.calls.map(([message]) => String(message)).filter((message) => message.startsWith('audit log tampered: ')).map((message) => message.slice('audit log tampered: '.length));
  /** Waits for the server's log to name the org, the index and why; a timeout says what it logged. */
  const noticed = async (orgId: string, index: number, why: string) => {
    await waitFor(`the server's log to name org ${orgId} at index ${index} (${why})`, async () =>
      logged().some((fault) => fault.startsWith(`org ${orgId}, index ${index}: `) && fault.includes(why)),
    ).catch((error: Error) => Promise.reject(new Error(`${error.message}; it logged: ${logged().join(' | ')}`)));
  };

  const row = (event: RecordedEvent) => db.prepare('SELECT * FROM events WHERE position = ?').get(event.position) as Record<string, unknown>;
  const indexOf = (events: RecordedEvent[], event: RecordedEvent) => leaves(events).indexOf(event);
  const added = (events: RecordedEvent[], agentId: string) => events.find((event) => event.type === 'AgentAdded' && (event.data as { agentId: string }).agentId === agentId)!;

  const orgs: Record<string, { admin: TestAgent; events: RecordedEvent[] }> = {};
  const expected: [string, number, string][] = [];

  it('finds nothing wrong in an untouched log with its checkpoints', async () => {
    for (const name of ['edited', 'middle', 'last', 'swapped', 'dropped', 'forged']) orgs[name] = await org(`${name}-admin`);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // several checks over every org
    const reply = await call(server, 'GET', '/health/ready');
    expect([reply.status, reply.body.details?.auditLog]).toEqual([200, { status: 'up' }]);
  });

  it("notices an event's data edited: the events after the last good checkpoint no longer hash to the next one", async () => {
    const { admin, events } = orgs.edited;
    const carol = added(events, 'carol');
    db.prepare('UPDATE events SET data = json_set(data, ?, ?) WHERE position = ?').run('$.email', 'mallory@example.com', carol.position);
    const at = indexOf(events, carol);
    const size = (event: RecordedEvent) => (event.data as { size: number }).size;
    const good = Math.max(...checkpoints(events).map(size).filter((signed) => signed <= at));
    const bad = checkpoints(events).find((event) => size(event) > at)!;
    await noticed(admin.orgId, good, `events ${good} to ${size(bad) - 1} do not hash to the root signed by checkpoint ${bad.revision} (position ${bad.position})`);
    expected.push([admin.orgId, good, 'do not hash']);
  });

  it('notices a middle event deleted at its index: its stream skips a revision, or the checkpoint right after it signs one event more', async () => {
    const { admin, events } = orgs.middle;
    const carol = added(events, 'carol');
    db.prepare('DELETE FROM events WHERE position = ?').run(carol.position);
    await noticed(admin.orgId, indexOf(events, carol), 'an event was removed');
    expected.push([admin.orgId, indexOf(events, carol), 'an event was removed']);
  });

  it('notices the last event deleted: the checkpoint after it signs one event more than the log holds', async () => {
    const { admin, events } = orgs.last;
    const dave = added(events, 'dave');
    expect(indexOf(events, dave)).toBe(leaves(events).length - 1);
    db.prepare('DELETE FROM events WHERE position = ?').run(dave.position);
    const size = leaves(events).length;
    const after = checkpoints(events).find((event) => (event.data as { size: number }).size === size)!;
    await noticed(admin.orgId, size - 1, `checkpoint ${after.revision} (position ${after.position}) signs ${size} events but the log holds ${size - 1} before it`);
    expected.push([admin.orgId, size - 1, 'an event was removed']);
  });

  it('notices two events swapped: a stream goes back in revisions', async () => {
    const { admin, events } = orgs.swapped;
    const [carol, dave] = [added(events, 'carol'), added(events, 'dave')];
    const [a, b] = [row(carol), row(dave)];
    db.transaction(() => {
      db.prepare('DELETE FROM events WHERE position IN (?, ?)').run(carol.position, dave.position);
      const insert = db.prepare('INSERT INTO events (position, id, stream, revision, type, schema_version, data, metadata) VALUES (@position, @id, @stream, @revision, @type, @schema_version, @data, @metadata)');
      insert.run({ ...b, position: a.position });
      insert.run({ ...a, position: b.position });
    })();
    await noticed(admin.orgId, indexOf(events, carol), `stream ${carol.stream} goes from revision ${carol.revision - 1n} to revision ${dave.revision}`);
    expected.push([admin.orgId, indexOf(events, carol), 'reordered']);
  });

  it('notices a checkpoint dropped: the checkpoint stream skips a revision', async () => {
    const { admin, events } = orgs.dropped;
    const [first, second] = checkpoints(events);
    db.prepare('DELETE FROM events WHERE position = ?').run(first.position);
    const before = leaves(events.filter((event) => event.position < second.position)).length;
    await noticed(admin.orgId, before, `stream ${first.stream} goes from its start to revision 1`);
    expected.push([admin.orgId, before, 'an event was removed, inserted or reordered']);
  });

  it('notices a checkpoint signed by another key under the log key name', async () => {
    const { admin, events } = orgs.forged;
    const second = checkpoints(events).at(-1)!;
    const size = (second.data as { size: number }).size;
    const impostor = signerFromSeed(DEFAULT_LOG_KEY_NAME, randomBytes(32));
    const note = signCheckpoint({ origin: checkpointOrigin(impostor.name, admin.orgId), size, rootHash: EMPTY_ROOT, extensions: [timestampLine(new Date())] }, impostor);
    db.prepare('UPDATE events SET data = json_set(data, ?, ?) WHERE position = ?').run('$.note', note, second.position);
    await noticed(admin.orgId, leaves(events).length, `checkpoint ${second.revision} (position ${second.position}) does not verify under the log key`);
    expected.push([admin.orgId, leaves(events).length, 'does not verify under the log key']);
  });

  it('fails readiness, which answers anyone without a token, saying how many orgs and naming none, nor an index or a position', async () => {
    const reply = await call(server, 'GET', '/health/ready');
    expect(reply.status).toBe(503);
    expect(reply.body.checks.auditLog).toEqual({
      status: 'down',
      message: `the stored log of 6 orgs does not match its signed checkpoints (the server's log names each: "audit log tampered")`,
    });
    const answer = JSON.stringify(reply.body);
    for (const { admin } of Object.values(orgs)) expect(answer).not.toContain(admin.orgId);
    expect(answer).not.toMatch(/index|position/);
  });

  it('counts each detection once in a metric, and finds every one again at start after a restart', async () => {
    const metrics = (await call<string>(server, 'GET', '/metrics')).body;
    expect(metrics).toMatch(/^ztkeys_audit_log_tampering_detected_total 6$/m);
    await server.close();
    errors.mockClear();
    server = await startTestServer({ ...env, LOG_SELF_CHECK_INTERVAL_MS: '0' });
    await waitFor("the server's log to name every tampered org at start", async () => expected.every(([orgId, index]) => logged().some((fault) => fault.startsWith(`org ${orgId}, index ${index}: `))));
    for (const [orgId, index, why] of expected) expect(logged()).toContainEqual(expect.stringMatching(new RegExp(`^org ${orgId}, index ${index}: .*${why}`)));
  });
});
