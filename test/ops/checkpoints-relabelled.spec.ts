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

const BOOTSTRAP_TOKEN = 'checkpoints-relabelled-bootstrap-token-32byte';

/**
 * Found from outside (R16): with write access to the log's file and no log key, an event under the
 * org's signed checkpoints altered (the org's name here; a MEMBER made SUPER_ADMIN alike) and the
 * checkpoints' schema version set to one this release cannot read: its check skipped them, so it
 * found nothing to compare the altered event with, raised no alarm, and the write side decided the
 * org's next command on the altered facts. A checkpoint this release cannot read vouches for
 * nothing: the org's log cannot be checked past the last one it read, so the org's writes are
 * refused as those of a stream holding a newer release's event are, the warning saying so. Not
 * paged as tampering: a rolling upgrade that changes the checkpoints' schema writes such
 * checkpoints too. The built server, as an operator runs it.
 */
describe("the server's check meets checkpoints this release cannot read", () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-checkpoints-relabelled-'));
  const secret = randomBytes(32).toString('base64url');
  const server = ServerProcess.spawn({ DATA_DIR: dataDir, BOOTSTRAP_TOKEN, JWT_SECRET: secret, LOG_CHECKPOINT_DELAY_MS: '50', LOG_SELF_CHECK_INTERVAL_MS: '300' });
  let url: string;
  afterAll(async () => {
    server.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const lines = (level: number, start: string) => server.logLines.filter((line) => line.level === level && String(line.msg).startsWith(start)).map((line) => String(line.msg));

  it("refuses the org's writes with a 503 problem, nothing appended; the other orgs' writes are taken", async () => {
    url = await server.listening(120_000);
    const [relabelled, other] = [(await createAcmeOverHttp(url, BOOTSTRAP_TOKEN)).orgId, (await createAcmeOverHttp(url, BOOTSTRAP_TOKEN)).orgId];
    const token = (orgId: string) => mintAgentToken(secret, { agentId: 'alice', orgId }, 600);
    const addAgent = async (orgId: string, agentId: string) => {
      const answer = await fetch(`${url}/v1/orgs/${orgId}/agents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await token(orgId)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ agentId, email: `${agentId}@example.com`, displayName: agentId, role: 'MEMBER' }),
      });
      return { status: answer.status, type: answer.headers.get('content-type'), body: (await answer.json()) as Record<string, unknown> };
    };
    for (const orgId of [relabelled, other]) {
      await waitFor(`a checkpoint of ${orgId}`, async () => (await fetch(`${url}/v1/orgs/${orgId}/audit-log/checkpoint`, { headers: { authorization: `Bearer ${await token(orgId)}` } })).status === 200, 30_000);
    }
    const db = new Database(join(dataDir, 'events.sqlite'));
    const streamLength = () => (db.prepare('SELECT count(*) AS n FROM events WHERE stream = ?').get(orgStream(relabelled)) as { n: number }).n;
    try {
      db.pragma('busy_timeout = 5000');
      db.transaction(() => {
        db.prepare("UPDATE events SET data = json_set(data, '$.name', 'Mallory Corp') WHERE type = 'OrganizationCreated' AND stream = ?").run(orgStream(relabelled));
        db.prepare('UPDATE events SET schema_version = 2 WHERE stream = ?').run(checkpointStream(relabelled));
      })();
      const warning = () => lines(40, 'audit log holds events a newer ztkeys wrote').find((line) => line.includes(`org ${relabelled}: `));
      await waitFor("a check to meet the org's checkpoints", warning, 30_000, () => server.stdout.slice(-3000));
      expect(warning()).toMatch(/the first CheckpointSigned v2\b.*checkpoints this release cannot read: their orgs' writes are refused/);
      const before = streamLength();
      expect(await addAgent(relabelled, 'erin')).toEqual({
        status: 503,
        type: expect.stringMatching(/^application\/problem\+json/),
        body: expect.objectContaining({ code: 'WRITTEN_BY_NEWER_RELEASE', detail: expect.stringContaining('(CheckpointSigned v2)') }),
      });
      expect(streamLength()).toBe(before);
      expect(await addAgent(other, 'erin')).toMatchObject({ status: 201 });
      expect(lines(50, 'audit log tampered')).toEqual([]);
    } finally {
      db.close();
    }
  }, 150_000);
});
