/**
 * Embedded, the projector role's transparency work (the Merkle follower, the checkpointer and the
 * server's check of its log) runs on a worker thread of its own: checkpoints are signed while the
 * main thread's event loop is held, the check never reads the log through the API's event store,
 * and what it finds still reaches readiness, the metrics and the log of the main process.
 */
import { Logger } from '@nestjs/common';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { TransparencyRole } from '../../src/runtime/transparency-role';
import { startTransparencyOnThread } from '../../src/runtime/transparency-thread';
import { checkpointStream } from '../../src/domain/streams';
import { logKeyOf } from '../../src/transparency/log-key';
import { SqliteMerkleNodeStore } from '../../src/transparency/node-store/sqlite-merkle-node-store';
import { SelfCheckStatus } from '../../src/transparency/self-check-status';
import { TamperedOrgs } from '../../src/application/tampered-orgs';
import { signerFromSeed } from '../../src/transparency/signed-note';
import { call, Journey, type TestAgent } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { waitFor } from '../notifications/support/wait-for';

describe('the transparency work on its worker thread (embedded)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-transparency-thread-'));
  // A checkpoint every 300 ms while the org does not grow: something to sign whenever the test looks.
  const env = { DATA_DIR: dataDir, LOG_CHECKPOINT_DELAY_MS: '50', LOG_CHECKPOINT_IDLE_MS: '300', LOG_SELF_CHECK_INTERVAL_MS: '200' };
  let server: TestServer;
  let db: Database.Database;
  let admin: TestAgent;
  beforeAll(async () => {
    server = await startTestServer(env);
    db = new Database(join(dataDir, 'events.sqlite'));
    db.pragma('busy_timeout = 5000');
    const journey = new Journey(server);
    admin = await journey.createOrg('alice');
    await journey.addAgent(admin, 'bob');
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    db.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const checkpoints = () => db.prepare('SELECT count(*) FROM events WHERE stream = ?').pluck().get(checkpointStream(admin.orgId)) as number;

  it('signs checkpoints while the main thread is held', () => {
    const before = checkpoints();
    // From here the main thread's event loop does not turn until two more checkpoints are in the
    // log: only another thread can sign them. The deadline turns a hang into a failure.
    const deadline = Date.now() + 30_000;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    while (checkpoints() < before + 2) {
      if (Date.now() > deadline) throw new Error(`no checkpoint signed while the main thread was held (${before} before)`);
      Atomics.wait(pause, 0, 0, 20);
    }
  });

  it("reports a tampered log to the main process's readiness, metrics and log, without reading the log through the API's event store", async () => {
    const reads = jest.spyOn(server.eventStore, 'readAll');
    const errors = jest.spyOn(Logger.prototype, 'error');
    const bob = db.prepare("SELECT position FROM events WHERE type = 'AgentAdded' AND json_extract(data, '$.agentId') = 'bob'").pluck().get() as number;
    db.prepare('UPDATE events SET data = json_set(data, ?, ?) WHERE position = ?').run('$.email', 'mallory@example.com', bob);
    // The log is one page: a check that saw the edit read it after the spy was set.
    const reason = await waitFor("the server's log to name the tampered org", async () =>
      errors.mock.calls.map(([message]) => String(message)).find((message) => message.startsWith(`audit log tampered: org ${admin.orgId}, index `)),
    );
    expect(reason).toContain('do not hash to the root signed by checkpoint');
    expect(reads).not.toHaveBeenCalled();
    const reply = await call(server, 'GET', '/health/ready');
    expect([reply.status, reply.body.checks?.auditLog?.message]).toEqual([503, expect.stringMatching(/^the stored log of 1 org does not match its signed checkpoints/)]);
    const metrics = (await call<string>(server, 'GET', '/metrics')).body;
    expect(metrics).toMatch(/^ztkeys_audit_log_tampering_detected_total 1$/m);
    expect(Number(/^ztkeys_audit_log_self_check_completed_timestamp_seconds (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  });

  it("reports where the follower stands after a restart on a log it has stored, before any new batch (the checkpointer's lag is 0)", async () => {
    await server.close();
    // No idle checkpoints now: nothing new comes for the follower to store.
    server = await startTestServer({ ...env, LOG_CHECKPOINT_IDLE_MS: '86400000' });
    await waitFor("the checkpointer's lag to be 0", async () => /^ztkeys_subscriber_lag_events\{subscriber="checkpointer"\} 0$/m.test((await call<string>(server, 'GET', '/metrics')).body));
  });
});

describe('the transparency role with its worker thread', () => {
  it('starts the thread again after it died, and reports why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ztkeys-transparency-restart-'));
    const eventLogPath = join(dir, 'events.sqlite');
    await new SqliteEventStore({ path: eventLogPath }).close();
    // A folder where the node store's file goes: the thread dies at its start, for real, until it is gone.
    const merkleNodesPath = join(dir, 'merkle-nodes.sqlite');
    mkdirSync(merkleNodesPath);
    const errors: string[] = [];
    const registry = new Registry();
    const status = new SelfCheckStatus(registry, new TamperedOrgs(), { onFault: () => undefined, onNodesDisagree: () => undefined, onNewerEvents: () => undefined });
    const settings = { checkpoints: true, checkpointDelayMs: 50, checkpointIdleMs: 86_400_000, orgsInMemory: 10_000, selfCheckIntervalMs: 0 };
    const start = startTransparencyOnThread({ eventLogPath, merkleNodesPath, logKey: logKeyOf(signerFromSeed('test.local/log', randomBytes(32))), settings });
    const role = new TransparencyRole(start, status, (part, error) => errors.push(`${part}: ${String(error)}`));
    const completed = async () => (await registry.getSingleMetric('ztkeys_audit_log_self_check_completed_timestamp_seconds')!.get()).values[0]?.value ?? 0;
    try {
      role.start();
      await waitFor('the thread to die', () => errors.some((error) => /transparency thread ended/.test(error)));
      expect(errors.join('\n')).toMatch(/EISDIR|directory|unable to open database file/);
      expect(await completed()).toBe(0);
      rmSync(merkleNodesPath, { recursive: true });
      // The node store made where the folder was, as the server's process makes it before the thread starts.
      await new SqliteMerkleNodeStore({ path: merkleNodesPath }).close();
      await waitFor('a check by the thread started again', async () => (await completed()) > 0);
    } finally {
      await role.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
