import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintAgentToken } from '../../src/auth/token-minter';
import { checkpointStream, orgStream } from '../../src/domain/streams';
import { createAcmeOverHttp } from '../support/acme-over-http';
import { waitFor } from '../notifications/support/wait-for';
import { ServerProcess } from './support/server-process';

const BOOTSTRAP_TOKEN = 'checkpoints-deleted-bootstrap-token-32-bytes';

/**
 * Found from outside (R16): with write access to the log's file and no log key, every checkpoint of
 * an org deleted and one of its events altered (its name here; a MEMBER made SUPER_ADMIN alike).
 * The check had nothing signed to compare the org's events with and found no fault; the stored
 * nodes disagreed with the altered log, so they were rebuilt from it, and the checkpointer signed
 * the altered tree anew: the alteration laundered, no alarm. The node store now keeps the latest
 * checkpoint of each org it saw in the log (its revision and position) through a rebuild, and the
 * check finds the log no longer holding it: a fault, the org's writes refused, nothing signed of it,
 * after a restart too. The built server, as an operator runs it.
 */
describe("the server's check meets an org's checkpoints deleted from the log", () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-checkpoints-deleted-'));
  const secret = randomBytes(32).toString('base64url');
  const env = { DATA_DIR: dataDir, BOOTSTRAP_TOKEN, JWT_SECRET: secret, LOG_CHECKPOINT_DELAY_MS: '50', LOG_SELF_CHECK_INTERVAL_MS: '300' };
  let server = ServerProcess.spawn(env);
  afterAll(async () => {
    server.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const lines = (level: number, start: string) => server.logLines.filter((line) => line.level === level && String(line.msg).startsWith(start)).map((line) => String(line.msg));
  const token = (orgId: string) => mintAgentToken(secret, { agentId: 'alice', orgId }, 600);
  const addAgent = async (url: string, orgId: string, agentId: string) => {
    const answer = await fetch(`${url}/v1/orgs/${orgId}/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token(orgId)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agentId, email: `${agentId}@example.com`, displayName: agentId, role: 'MEMBER' }),
    });
    return { status: answer.status, type: answer.headers.get('content-type'), body: (await answer.json()) as Record<string, unknown> };
  };

  it("pages the org's log as tampered and refuses its writes, signing nothing of it, through the nodes' rebuild and a restart; the other orgs' writes are taken", async () => {
    let url = await server.listening(120_000);
    const [deleted, other] = [(await createAcmeOverHttp(url, BOOTSTRAP_TOKEN)).orgId, (await createAcmeOverHttp(url, BOOTSTRAP_TOKEN)).orgId];
    const nodes = new Database(join(dataDir, 'merkle-nodes.sqlite'), { readonly: true });
    const db = new Database(join(dataDir, 'events.sqlite'));
    try {
      // Each org signed, and its checkpoint applied by the node store's follower.
      for (const orgId of [deleted, other]) {
        const signed = () => (nodes.prepare('SELECT signed_revision AS revision FROM merkle_orgs WHERE org = ?').get(orgId) as { revision: string | null } | undefined)?.revision;
        await waitFor(`a checkpoint of ${orgId} stored`, () => typeof signed() === 'string', 30_000);
      }
      const checkpoints = () => (db.prepare('SELECT count(*) AS n FROM events WHERE stream = ?').get(checkpointStream(deleted)) as { n: number }).n;
      const streamLength = () => (db.prepare('SELECT count(*) AS n FROM events WHERE stream = ?').get(orgStream(deleted)) as { n: number }).n;
      db.pragma('busy_timeout = 5000');
      db.transaction(() => {
        db.prepare("UPDATE events SET data = json_set(data, '$.name', 'Mallory Corp') WHERE type = 'OrganizationCreated' AND stream = ?").run(orgStream(deleted));
        db.prepare('DELETE FROM events WHERE stream = ?').run(checkpointStream(deleted));
      })();
      const paged = () => lines(50, 'audit log tampered').filter((line) => line.includes(deleted));
      await waitFor("a check to find the org's checkpoints gone", () => paged().length > 0, 30_000, () => server.stdout.slice(-3000));
      expect(paged()[0]).toMatch(/checkpoint \d+ of the org \(position \d+\), which this server applied, is gone from the log/);
      // The stored nodes disagree with the altered log and are rebuilt from it: the fault stands after the rebuild, never
      // gone from a check (it would be paged again when found again).
      await waitFor('the nodes rebuilt', () => lines(50, 'Merkle node store disagrees with the log').length > 0, 30_000, () => server.stdout.slice(-3000));
      const checked = async () => Number(/^ztkeys_audit_log_self_check_completed_timestamp_seconds (\S+)$/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1]);
      const rebuiltBy = Date.now() / 1000 + 1;
      await waitFor('a check after the rebuild', async () => (await checked()) > rebuiltBy, 30_000, () => server.stdout.slice(-3000));
      expect(paged()).toHaveLength(1);

      const refused = async () => {
        const before = streamLength();
        expect(await addAgent(url, deleted, `erin${before}`)).toEqual({
          status: 503,
          type: expect.stringMatching(/^application\/problem\+json/),
          body: expect.objectContaining({ code: 'AUDIT_LOG_TAMPERED' }),
        });
        expect(streamLength()).toBe(before);
        expect(checkpoints()).toBe(0);
      };
      await refused();
      expect(await addAgent(url, other, 'erin')).toMatchObject({ status: 201 });

      // After a restart (the node store rebuilt from the altered log meanwhile): found again, nothing signed in between.
      expect(await server.stopWith('SIGTERM', 30_000)).toBeLessThan(30_000);
      server = ServerProcess.spawn(env);
      url = await server.listening(120_000);
      await waitFor("a check to find the org's checkpoints gone after the restart", () => paged().length > 0, 30_000, () => server.stdout.slice(-3000));
      await refused();
    } finally {
      db.close();
      nodes.close();
    }
  }, 240_000);
});
