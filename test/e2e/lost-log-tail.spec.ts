import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, Journey } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { waitFor } from '../notifications/support/wait-for';

/**
 * The last event rows are lost (deleted from the file while ztkeys is stopped): the read models'
 * checkpoints are now ahead of the log. ztkeys must say so, rebuild them from the log, and give
 * the next events fresh positions that reach the read models and the notifier.
 */
const cases = [
  { name: 'rows deleted: the next events get fresh positions', rollBackSequence: false },
  { name: 'an older copy of the log restored: positions past its head come again', rollBackSequence: true },
];

describe.each(cases)('the event log loses its last rows ($name)', ({ rollBackSequence }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-lost-tail-'));
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const outbox = join(dataDir, 'outbox');
  const emails = (): string[] => (existsSync(outbox) ? readdirSync(outbox).map((name) => readFileSync(join(outbox, name), 'utf8')) : []);
  const emailsTo = (agentId: string): number => emails().filter((email) => email.includes(`${agentId} asks for a signature key`)).length;

  it('fails readiness naming the read model and why, rebuilds it, replans emails without duplicates, and projects and emails the events appended after', async () => {
    server = await startTestServer({ DATA_DIR: dataDir, MIN_POSITION_WAIT_MS: '15000' });
    let journey = new Journey(server);
    const admin = await journey.createOrg('alice');
    await journey.activeKey(admin, admin);
    const bob = await journey.addAgent(admin, 'bob');
    const requested = await journey.requestKey(bob);
    expect(requested.status).toBe(201);
    const audit = await call(server, 'GET', `/v1/orgs/${admin.orgId}/audit-log`, admin.token, undefined, { 'x-min-position': requested.body.position });
    expect(audit.status).toBe(200);
    await waitFor('the email about bob', () => emailsTo('bob') > 0);
    const sent = emails().length;
    const head = (await server.eventStore.headPosition())!;
    const lostAtHead = (await server.eventStore.eventAt(head))!.id;
    await server.close();
    server = undefined;

    const db = new Database(join(dataDir, 'events.sqlite'));
    const lost = db.prepare('DELETE FROM events WHERE position > ?').run(head - 2n).changes;
    if (rollBackSequence) db.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'events'").run(head - 2n);
    db.close();
    expect(lost).toBe(2);

    server = await startTestServer({ DATA_DIR: dataDir, MIN_POSITION_WAIT_MS: '15000' });
    journey = new Journey(server);
    const notReady = await waitFor('readiness to fail', async () => {
      const reply = await call(server!, 'GET', '/health/ready');
      // The notifier may report its replan first: wait for the read models' reason.
      return reply.status === 503 && reply.body.checks?.projections?.status === 'down' && reply;
    });
    expect(notReady.body.code).toBe('NOT_READY');
    expect(notReady.body.checks.projections.message).toContain(`the event log's head (${head - 2n}) is behind the checkpoint (${head})`);
    await waitFor('the read models to be rebuilt', async () => (await call(server!, 'GET', '/health/ready')).status === 200);

    const carol = await journey.addAgent({ ...admin, token: await server.token(admin.orgId, 'alice') }, 'carol');
    const again = await journey.requestKey(carol);
    expect(again.status).toBe(201);
    // A restored older log numbers new events from its own head: the positions the consumers passed come again.
    if (rollBackSequence) {
      const now = await server.eventStore.eventAt(head);
      expect(now).toBeDefined();
      expect(now!.id).not.toBe(lostAtHead);
    } else expect(BigInt(again.body.position)).toBeGreaterThan(head);
    const token = await server.token(admin.orgId, 'alice');
    const pending = await call(server, 'GET', `/v1/orgs/${admin.orgId}/key-requests?status=PENDING`, token, undefined, { 'x-min-position': again.body.position });
    expect(pending.status).toBe(200);
    expect(pending.body.items.map((item: { agentId: string }) => item.agentId)).toContain('carol');
    // The notifier replanned from the start of the log: the emails already sent are not sent again.
    await waitFor('the email about carol', () => emailsTo('carol') > 0);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(emails().length).toBe(sent + emailsTo('carol'));
  }, 90_000);
});
