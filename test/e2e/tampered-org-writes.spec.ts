import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKPOINT_SIGNED } from '../../src/transparency/log-checkpointer';
import { waitFor } from '../notifications/support/wait-for';
import { call, Journey, type TestAgent } from '../support/api-client';
import { ownConnectionCall } from '../ops/support/own-connection-call';
import { operatedServer } from './operated-server';

/**
 * While the server's own check finds an org's stored log altered, nothing more is decided on it:
 * every write for that org is refused (503 AUDIT_LOG_TAMPERED) and appends nothing, the other orgs
 * are served as before, and reads of the tampered org still answer for those who investigate.
 * The built server, on the real SQLite file; with WORKERS=2 each worker knows, whichever one a
 * connection reaches; in a deployment split by roles, an API process that runs no check knows
 * through Redis, or without Redis through the DATA_DIR it shares, every call of these tests going to it.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `ztkeys-test-${randomUUID().slice(0, 8)}`;

/**
 * The topologies, grouped by the operated server they need: one started per group, its topologies
 * in turn on it (each with orgs of its own, its log restored and found whole before the next).
 */
describe.each<{ deployment: string; env: Record<string, string>; topologies: Array<{ topology: string; beside?: Record<string, string> }> }>([
  {
    deployment: 'WORKERS=1',
    env: { WORKERS: '1' },
    topologies: [
      { topology: 'WORKERS=1' },
      { topology: 'an API process beside, ROLES=api, on the same DATA_DIR without Redis', beside: { ROLES: 'api' } },
      { topology: 'an API cluster beside, ROLES=api WORKERS=2, on the same DATA_DIR without Redis', beside: { ROLES: 'api', WORKERS: '2' } },
    ],
  },
  { deployment: 'WORKERS=2', env: { WORKERS: '2' }, topologies: [{ topology: 'WORKERS=2' }] },
  {
    deployment: 'REDIS_URL',
    env: { REDIS_URL, REDIS_KEY_PREFIX: prefix },
    topologies: [
      { topology: 'an API process beside, ROLES=api, REDIS_URL', beside: { ROLES: 'api', REDIS_URL, REDIS_KEY_PREFIX: prefix } },
      { topology: 'an API cluster beside, ROLES=api WORKERS=2, REDIS_URL', beside: { ROLES: 'api', WORKERS: '2', REDIS_URL, REDIS_KEY_PREFIX: prefix } },
    ],
  },
])('the operated server ($deployment)', ({ env, topologies }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-tampered-writes-'));
  const operated = operatedServer(dataDir);
  let db: Database.Database;

  beforeAll(async () => {
    await operated.start({ LOG_SELF_CHECK_INTERVAL_MS: '200', ...env });
    db = new Database(join(dataDir, 'events.sqlite'));
    db.pragma('busy_timeout = 5000');
  }, 180_000);
  afterAll(async () => {
    db?.close();
    await operated.stop();
    operated.dispose();
    rmSync(dataDir, { recursive: true, force: true });
    if (env.REDIS_URL) {
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${env.REDIS_KEY_PREFIX}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });

  describe.each(topologies)('writes for an org whose stored log fails the self-check ($topology)', ({ beside }) => {
    // The process every call goes to: the operated server, or the API process beside it.
    let server = operated.server;
    let besideDispose = () => undefined as void;
    let tampered: TestAgent;
    let untouched: TestAgent;

    const rows = (orgId: string) => (db.prepare("SELECT count(*) AS n FROM events WHERE json_extract(metadata, '$.orgId') = ?").get(orgId) as { n: number }).n;
    const checkpointsOf = (orgId: string) =>
      db.prepare("SELECT data FROM events WHERE type = ? AND json_extract(metadata, '$.orgId') = ?").all(CHECKPOINT_SIGNED, orgId) as { data: string }[];

    /**
     * Readiness of `at` (the process every call goes to unless given) says `status` for auditLog on four
     * connections in a row: the cluster hands connections to its workers in turn, so each worker of two says it twice.
     */
    const auditLogOnEveryWorker = (status: 'up' | 'down', at = server) => {
      let said: unknown;
      return waitFor(`readiness to say auditLog ${status} on every worker`, async () => {
        for (let i = 0; i < 4; i++) {
          said = (await ownConnectionCall(at.url, 'GET', '/health/ready', '')).body;
          // Ready, its checks are under `details`; not ready, a problem's `checks`.
          const { checks, details } = said as Record<'checks' | 'details', { auditLog?: { status?: string } } | undefined>;
          if ((checks ?? details)?.auditLog?.status !== status) return false;
        }
        return true;
      }).catch((error: Error) => Promise.reject(new Error(`${error.message}; readiness said ${JSON.stringify(said)}`)));
    };

    beforeAll(async () => {
      if (beside) ({ server, dispose: besideDispose } = await operated.beside(beside));
      const journey = new Journey(server);
      tampered = await journey.createOrg('tampered-admin');
      await journey.addAgent(tampered, 'bob');
      untouched = await journey.createOrg('untouched-admin');
      const leaves = (orgId: string) => rows(orgId) - checkpointsOf(orgId).length;
      await waitFor('a checkpoint over the first org', async () => checkpointsOf(tampered.orgId).some(({ data }) => (JSON.parse(data) as { size: number }).size === leaves(tampered.orgId)));
      // An insider edits bob's address in the stored log: the checkpoint over it no longer verifies.
      const edited = db.prepare("UPDATE events SET data = json_set(data, '$.email', 'mallory@example.com') WHERE type = 'AgentAdded' AND json_extract(data, '$.agentId') = 'bob' AND json_extract(metadata, '$.orgId') = ?").run(tampered.orgId);
      expect(edited.changes).toBe(1);
      // Found by the process that checks, then known by the one every call goes to.
      await auditLogOnEveryWorker('down', operated.server);
      await auditLogOnEveryWorker('down');
    }, 180_000);
    afterAll(() => besideDispose());

    const addAgent = (admin: TestAgent, agentId: string) =>
      ownConnectionCall(server.url, 'POST', `/v1/orgs/${admin.orgId}/agents`, admin.token, { agentId, email: `${agentId}@example.com`, displayName: agentId, role: 'MEMBER' });

    it('refuses every write for the tampered org with 503 AUDIT_LOG_TAMPERED and appends nothing', async () => {
      const before = rows(tampered.orgId);
      // As the OpenAPI document declares it.
      const declared = await call(server, 'POST', `/v1/orgs/${tampered.orgId}/agents`, tampered.token, { agentId: 'zed', email: 'zed@example.com', displayName: 'zed', role: 'MEMBER' });
      expect([declared.status, declared.contentType, declared.body.code]).toEqual([503, expect.stringMatching(/^application\/problem\+json/), 'AUDIT_LOG_TAMPERED']);
      // Each on a connection of its own: with two workers, both answer some.
      for (const agentId of ['carol', 'dave', 'erin', 'frank', 'grace', 'heidi']) {
        const reply = await addAgent(tampered, agentId);
        expect([reply.status, reply.headers['content-type'], reply.body.code, reply.headers['retry-after']]).toEqual([503, expect.stringMatching(/^application\/problem\+json/), 'AUDIT_LOG_TAMPERED', undefined]);
        expect(reply.body.detail).toContain(tampered.orgId);
      }
      const removal = await call(server, 'DELETE', `/v1/orgs/${tampered.orgId}/agents/bob`, tampered.token);
      expect([removal.status, removal.body.code]).toEqual([503, 'AUDIT_LOG_TAMPERED']);
      expect(rows(tampered.orgId)).toBe(before);
    });

    it('serves the other orgs', async () => {
      for (const agentId of ['carol', 'dave', 'erin', 'frank']) expect((await addAgent(untouched, agentId)).status).toBe(201);
    });

    it('answers reads of the tampered org, for those who investigate', async () => {
      for (let i = 0; i < 4; i++) expect((await ownConnectionCall(server.url, 'GET', `/v1/orgs/${tampered.orgId}`, tampered.token)).status).toBe(200);
      expect((await call(server, 'GET', `/v1/orgs/${tampered.orgId}/audit-log`, tampered.token)).status).toBe(200);
    });

    it('takes writes for the org again once the log is restored and a check finds it whole', async () => {
      db.prepare("UPDATE events SET data = json_set(data, '$.email', 'bob@example.com') WHERE type = 'AgentAdded' AND json_extract(data, '$.agentId') = 'bob' AND json_extract(metadata, '$.orgId') = ?").run(tampered.orgId);
      await auditLogOnEveryWorker('up');
      for (const agentId of ['ivan', 'judy', 'ken', 'leo']) expect((await addAgent(tampered, agentId)).status).toBe(201);
    });
  });
});
