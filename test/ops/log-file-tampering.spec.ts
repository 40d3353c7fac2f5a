import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintAgentToken } from '../../src/auth/token-minter';
import { checkpointStream, orgStream } from '../../src/domain/streams';
import { createAcmeOverHttp } from '../support/acme-over-http';
import { waitFor } from '../notifications/support/wait-for';
import { rewriteLog } from '../e2e/operated-server';
import { ServerProcess } from './support/server-process';

const BOOTSTRAP_TOKEN = 'log-file-tampering-bootstrap-token-32-bytes';

/**
 * Found from outside (R16): with write access to the log's file and no log key, an org's history
 * altered so that the server's check found nothing, decided the org's next commands on the altered
 * facts and signed the altered tree anew:
 * - every checkpoint of an org deleted and one of its events altered (its name here): nothing signed
 *   was left to compare with, the stored nodes were rebuilt from the altered log;
 * - a promotion of a MEMBER appended to the org's stream saying another org: the write side reads
 *   the org's facts by stream, the check grouped records by the org they name;
 * - the org's latest checkpoint rewritten in place as a copy of an earlier one, an event only it
 *   signed altered;
 * - a promotion's revision stored as hexadecimal text, which SQLite sorts after every number: the
 *   write side folded it after the demotion that followed;
 * - the org's creation given its time in another form Date reads as the same instant;
 * - an event's metadata text given a second orgId first: SQLite, by which the embedded audit trail
 *   reads, takes the first, JSON.parse the last (the event hidden from its org's trail).
 * And an insider holding the log key who re-signs the rewritten log but keeps the node store.
 * The node store now keeps the latest checkpoint of each org it saw (revision, position, note)
 * through a rebuild, and the check meets it in the log; a record's stream must be its org's and
 * hold its type. Each is a fault: paged, the org's writes refused, nothing of it signed, after a
 * restart too. The built server, as an operator runs it.
 */
describe("the server's check meets the log's file rewritten without the log key", () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-log-file-tampering-'));
  const secret = randomBytes(32).toString('base64url');
  const env = { DATA_DIR: dataDir, BOOTSTRAP_TOKEN, JWT_SECRET: secret, LOG_CHECKPOINT_DELAY_MS: '50', LOG_SELF_CHECK_INTERVAL_MS: '300' };
  let server = ServerProcess.spawn(env);
  afterAll(async () => {
    server.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const lines = (level: number, start: string) => server.logLines.filter((line) => line.level === level && String(line.msg).startsWith(start)).map((line) => String(line.msg));
  const token = (orgId: string, agentId = 'alice') => mintAgentToken(secret, { agentId, orgId }, 600);
  const addAgent = async (url: string, orgId: string, agentId: string, by = 'alice', role = 'MEMBER') => {
    const answer = await fetch(`${url}/v1/orgs/${orgId}/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token(orgId, by)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agentId, email: `${agentId}@example.com`, displayName: agentId, role }),
    });
    return { status: answer.status, type: answer.headers.get('content-type'), body: (await answer.json()) as Record<string, unknown> };
  };

  it("pages each altered org's log as tampered and refuses its writes, signing nothing of it, through the nodes' rebuild and a restart; the other org's writes are taken", async () => {
    let url = await server.listening(120_000);
    const org = async () => (await createAcmeOverHttp(url, BOOTSTRAP_TOKEN)).orgId;
    const [deleted, injected, rewritten, reordered, retimed, resigned, hidden, other] = [await org(), await org(), await org(), await org(), await org(), await org(), await org(), await org()];
    const nodes = new Database(join(dataDir, 'merkle-nodes.sqlite'), { readonly: true });
    // Signed up to its last event, and that checkpoint applied by the node store's follower.
    const signedWhole = (orgId: string) => (nodes.prepare('SELECT signed_size = size AS whole FROM merkle_orgs WHERE org = ?').get(orgId) as { whole: bigint | number } | undefined)?.whole;
    const allSigned = async (orgIds: string[]) => {
      for (const orgId of orgIds) await waitFor(`a checkpoint of every event of ${orgId} stored`, () => Number(signedWhole(orgId)) === 1, 30_000);
    };
    // A checkpoint of each org's creation before bob is added: the org to be rewritten has two.
    await allSigned([deleted, injected, rewritten, reordered, retimed, resigned, hidden, other]);
    for (const orgId of [injected, rewritten, reordered, resigned, hidden]) expect(await addAgent(url, orgId, 'bob')).toMatchObject({ status: 201 });
    // Bob promoted, then demoted: the promotion's revision is altered below, with the server stopped.
    const changeRole = async (orgId: string, agentId: string, role: string) =>
      (await fetch(`${url}/v1/orgs/${orgId}/agents/${agentId}`, { method: 'PATCH', headers: { authorization: `Bearer ${await token(orgId)}`, 'content-type': 'application/json' }, body: JSON.stringify({ role }) })).status;
    expect([await changeRole(reordered, 'bob', 'SUPER_ADMIN'), await changeRole(reordered, 'bob', 'MEMBER')]).toEqual([200, 200]);
    let db = new Database(join(dataDir, 'events.sqlite'));
    try {
      await allSigned([deleted, injected, rewritten, reordered, retimed, resigned, hidden, other]);
      const count = (stream: string) => (db.prepare('SELECT count(*) AS n FROM events WHERE stream = ?').get(stream) as { n: number }).n;
      db.pragma('busy_timeout = 5000');
      db.transaction(() => {
        db.prepare("UPDATE events SET data = json_set(data, '$.name', 'Mallory Corp') WHERE type = 'OrganizationCreated' AND stream = ?").run(orgStream(deleted));
        db.prepare('DELETE FROM events WHERE stream = ?').run(checkpointStream(deleted));
        const last = db.prepare('SELECT * FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1').get(orgStream(injected)) as { revision: number; metadata: string };
        const metadata = { ...JSON.parse(last.metadata), orgId: 'invented', actor: 'alice' };
        db.prepare('INSERT INTO events (id, stream, revision, type, schema_version, data, metadata) VALUES (?, ?, ?, ?, 1, ?, ?)').run(
          randomUUID(), orgStream(injected), last.revision + 1, 'AgentRoleChanged', JSON.stringify({ agentId: 'bob', from: 'MEMBER', to: 'SUPER_ADMIN' }), JSON.stringify(metadata));
        db.prepare("UPDATE events SET data = json_set(data, '$.role', 'SUPER_ADMIN') WHERE type = 'AgentAdded' AND stream = ?").run(orgStream(rewritten));
        db.prepare('UPDATE events SET data = (SELECT data FROM events WHERE stream = @stream AND revision = 0) WHERE stream = @stream AND revision = 1').run({ stream: checkpointStream(rewritten) });
        // bob's addition given a second orgId, first in its metadata text: SQLite's json_extract, which the embedded audit
        // trail reads by, takes the first, JSON.parse the last.
        db.prepare(`UPDATE events SET metadata = '{"orgId":"elsewhere",' || substr(metadata, 2) WHERE stream = ? AND type = 'AgentAdded'`).run(orgStream(hidden));
      })();
      const paged = (orgId: string) => lines(50, 'audit log tampered').filter((line) => line.includes(orgId));
      const pagedEach = () => [deleted, injected, rewritten, hidden].every((orgId) => paged(orgId).length > 0);
      await waitFor('a check to find each org altered', pagedEach, 30_000, () => server.stdout.slice(-3000));
      expect(paged(deleted)[0]).toMatch(/checkpoint 0 of the org \(position \d+\), which this server applied, is gone from the log/);
      expect(paged(injected)[0]).toContain(`is in stream ${orgStream(injected)} of org ${injected} but says it is of org invented`);
      expect(paged(rewritten)[0]).toMatch(/checkpoint 1 of the org \(position \d+\) is no longer the one this server applied/);
      expect(paged(hidden)[0]).toContain(`is in stream ${orgStream(hidden)} of org ${hidden} but says it is of org elsewhere`);
      // The stored nodes disagree with the altered log and are rebuilt from it: the faults stand after the rebuild, never
      // gone from a check (each would be paged again when found again).
      await waitFor('the nodes rebuilt', () => lines(50, 'Merkle node store disagrees with the log').length > 0, 30_000, () => server.stdout.slice(-3000));
      const checked = async () => Number(/^ztkeys_audit_log_self_check_completed_timestamp_seconds (\S+)$/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1]);
      const rebuiltBy = Date.now() / 1000 + 1;
      await waitFor('a check after the rebuild', async () => (await checked()) > rebuiltBy, 30_000, () => server.stdout.slice(-3000));
      for (const orgId of [deleted, injected, rewritten, hidden]) expect(paged(orgId)).toHaveLength(1);

      const checkpoints = new Map([deleted, injected, rewritten, reordered, retimed, resigned, hidden].map((orgId) => [orgId, count(checkpointStream(orgId))]));
      // By alice, a SUPER_ADMIN; after the restart by bob too, whom the write side then reads as the altered log makes him.
      const refused = async (bobToo: boolean) => {
        const writes = [[deleted, 'alice'], [injected, 'alice'], [rewritten, 'alice'], [hidden, 'alice'], ...(bobToo ? [[injected, 'bob'], [rewritten, 'bob'], [reordered, 'alice'], [reordered, 'bob'], [retimed, 'alice'], [resigned, 'alice'], [resigned, 'bob']] : [])];
        for (const [orgId, by] of writes) {
          const before = count(orgStream(orgId));
          expect(await addAgent(url, orgId, `erin${before}`, by, 'SUPER_ADMIN')).toEqual({
            status: 503,
            type: expect.stringMatching(/^application\/problem\+json/),
            body: expect.objectContaining({ code: 'AUDIT_LOG_TAMPERED' }),
          });
          expect(count(orgStream(orgId))).toBe(before);
          expect(count(checkpointStream(orgId))).toBe(checkpoints.get(orgId));
        }
      };
      await refused(false);
      expect(await addAgent(url, other, 'erin')).toMatchObject({ status: 201 });

      // After a restart (the node store rebuilt from the altered log meanwhile): found again, nothing signed in between.
      // Meanwhile bob's promotion given its revision in hexadecimal text ("0x2"), which SQLite keeps as text in its INTEGER
      // column and sorts after every number: the write side read it after his demotion; the check, the leaf and the nodes saw 2.
      expect(await server.stopWith('SIGTERM', 30_000)).toBeLessThan(30_000);
      const promotion = "stream = ? AND type = 'AgentRoleChanged' AND json_extract(data, '$.to') = 'SUPER_ADMIN'";
      expect(db.prepare(`UPDATE events SET revision = printf('0x%x', revision) WHERE ${promotion}`).run(orgStream(reordered)).changes).toBe(1);
      const { revision: stored } = db.prepare(`SELECT revision FROM events WHERE ${promotion}`).get(orgStream(reordered)) as { revision: string };
      checkpoints.set(reordered, count(checkpointStream(reordered)));
      // And the org's creation given its time in another form Date reads as the same instant: the same leaf, another text.
      const created = db.prepare("SELECT json_extract(metadata, '$.occurredAt') AS at FROM events WHERE stream = ? AND revision = 0").get(orgStream(retimed)) as { at: string };
      const retold = new Date(created.at).toUTCString();
      expect(db.prepare("UPDATE events SET metadata = json_set(metadata, '$.occurredAt', ?) WHERE stream = ? AND revision = 0").run(retold, orgStream(retimed)).changes).toBe(1);
      checkpoints.set(retimed, count(checkpointStream(retimed)));
      // And an insider holding the log key: bob made SUPER_ADMIN, every checkpoint of the org signed anew over it, the
      // node store kept (forgotten, only witnesses and auditors' saved checkpoints would tell).
      db.close();
      await rewriteLog(dataDir, resigned, (log) => {
        log.prepare("UPDATE events SET data = json_set(data, '$.role', 'SUPER_ADMIN') WHERE stream = ? AND type = 'AgentAdded'").run(orgStream(resigned));
      }, undefined, { keepNodes: true });
      db = new Database(join(dataDir, 'events.sqlite'));
      checkpoints.set(resigned, count(checkpointStream(resigned)));
      server = ServerProcess.spawn(env);
      url = await server.listening(120_000);
      await waitFor('a check to find each org altered after the restart', () => pagedEach() && [reordered, retimed, resigned].every((orgId) => paged(orgId).length > 0), 30_000, () => server.stdout.slice(-3000));
      expect(paged(reordered)[0]).toContain(`stores its revision as "${stored}", no integer`);
      expect(paged(retimed)[0]).toContain(`stores its time as "${retold}", not as the log writes one`);
      expect(paged(resigned)[0]).toMatch(/checkpoint \d+ of the org \(position \d+\) is no longer the one this server applied/);
      await refused(true);
    } finally {
      db.close();
      nodes.close();
    }
  }, 240_000);
});
