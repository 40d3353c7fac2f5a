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

/**
 * The same loss under read models, a notifier and a Merkle node store whose checkpoints hold no
 * event id (saved by a release before checkpoints named their event), and the log grown past the
 * lost rows before the consumers resumed (by an API process while the projector was down). The
 * checkpoints' heads are not ahead of the log: no event at their position tells the divergence.
 */
describe('the event log loses its last rows and grows past them, under checkpoints saved without their event id', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-lost-tail-no-id-'));
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const env = { DATA_DIR: dataDir, MIN_POSITION_WAIT_MS: '15000' };
  const pendingAgents = async (orgId: string, minPosition?: string): Promise<string[]> => {
    const reply = await call(server!, 'GET', `/v1/orgs/${orgId}/key-requests?status=PENDING`, await server!.token(orgId, 'alice'), undefined, minPosition ? { 'x-min-position': minPosition } : {});
    expect(reply.status).toBe(200);
    return reply.body.items.map((item: { agentId: string }) => item.agentId);
  };

  it('fails readiness naming the read model and the position no event is at, rebuilds it, and lists no request the log lost', async () => {
    server = await startTestServer(env);
    let journey = new Journey(server);
    const admin = await journey.createOrg('alice');
    await journey.activeKey(admin, admin);
    const bob = await journey.addAgent(admin, 'bob');
    const kept = (await server.eventStore.headPosition())!;
    const requested = await journey.requestKey(bob);
    expect(requested.status).toBe(201);
    expect(await pendingAgents(admin.orgId, requested.body.position)).toEqual(['bob']);
    const checkpoint = (await server.readModels.checkpoint('pending-keys'))!;
    await server.close();
    server = undefined;

    const events = new Database(join(dataDir, 'events.sqlite'));
    expect(events.prepare('DELETE FROM events WHERE position > ?').run(kept).changes).toBeGreaterThan(0);
    events.close();
    for (const [file, table] of [['read-models.sqlite', 'read_model_checkpoints'], ['email.sqlite', 'notifier_checkpoints'], ['merkle-nodes.sqlite', 'merkle_progress']]) {
      const db = new Database(join(dataDir, file));
      expect(db.prepare(`UPDATE ${table} SET event_id = NULL`).run().changes).toBeGreaterThan(0);
      db.close();
    }
    // An API process alone appends past the lost rows: positions are never given twice, so none lands at the checkpoint.
    server = await startTestServer({ ...env, ROLES: 'api' });
    await new Journey(server).addAgent({ ...admin, token: await server.token(admin.orgId, 'alice') }, 'carol');
    expect(await server.eventStore.headPosition()).toBeGreaterThan(checkpoint);
    expect(await server.eventStore.eventAt(checkpoint)).toBeUndefined();
    await server.close();
    server = undefined;

    server = await startTestServer(env);
    journey = new Journey(server);
    // Each projector thread says the models of its lane as it finds them: what readiness named, over every answer until the rebuilds end.
    const named: string[] = [];
    await waitFor('readiness to fail naming the read models, then the read models to be rebuilt', async () => {
      const reply = await call(server!, 'GET', '/health/ready');
      if (reply.status === 503 && reply.body.checks?.projections?.status === 'down') named.push(reply.body.checks.projections.message);
      return reply.status === 200 && named.length > 0;
    });
    expect(named.join('\n')).toContain(`read model pending-keys: the event log holds no event at the checkpoint (${checkpoint})`);
    expect(await pendingAgents(admin.orgId, String(await server.eventStore.headPosition()))).toEqual([]);
  }, 90_000);
});
