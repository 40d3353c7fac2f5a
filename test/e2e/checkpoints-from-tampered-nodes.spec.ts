import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKPOINT_SIGNED, type CheckpointSignedData } from '../../src/transparency/log-checkpointer';
import { parseVerifierKeys } from '../../src/transparency/log-keyring';
import { checkLogHere } from '../../src/transparency/log-self-check';
import { proofNodes } from '../../src/transparency/merkle-tree';
import { call, Journey, type TestAgent } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { waitFor } from '../notifications/support/wait-for';
import { loggedEvents } from './event-log';

/**
 * The checkpointer signs the Merkle follower's roots, extended from the node store's rows and
 * nodes, which the server does not trust (R16): it signs nothing until the server's check of the
 * log has found the stored nodes agree with the log. Here the node store of a stopped server is
 * altered on disk (an org's edge nodes and the root its row keeps, at its latest checkpoint), the
 * org's log grows meanwhile (through the API of a process that keeps no nodes), and the server
 * restarts: every checkpoint it signs must be over the root the log gives, as the server's own
 * re-derivation of the log (log-self-check.ts) finds.
 */
describe('checkpoints after the Merkle node store was altered on disk', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-tampered-nodes-'));
  const env = { DATA_DIR: dataDir, LOG_CHECKPOINT_DELAY_MS: '50', LOG_SELF_CHECK_INTERVAL_MS: '0' };
  let server: TestServer;
  let admin: TestAgent;
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const leaves = async () => (await loggedEvents(server, admin.orgId)).filter((event) => event.type !== CHECKPOINT_SIGNED).length;
  const signedSizes = async () =>
    (await loggedEvents(server, admin.orgId)).filter((event) => event.type === CHECKPOINT_SIGNED).map((event) => (event.data as unknown as CheckpointSignedData).size);
  const signedAll = async () => {
    const size = await leaves();
    return (await signedSizes()).includes(size) && size;
  };

  it('signs only roots the log gives, after the nodes that would have given another were rebuilt from the log', async () => {
    server = await startTestServer(env);
    const journey = new Journey(server);
    admin = await journey.createOrg('alice');
    await journey.addAgent(admin, 'bob');
    await journey.addAgent(admin, 'carol');
    const size = await waitFor('a checkpoint of every event', signedAll);
    await server.close();

    // The edge of the org's tree at its checkpoint, which the follower extends at its next leaf, and the root its row keeps.
    const db = new Database(join(dataDir, 'merkle-nodes.sqlite'));
    const alter = db.prepare('UPDATE merkle_nodes SET hash = zeroblob(32) WHERE org = ? AND level = ? AND idx = ?');
    for (const { level, index } of proofNodes({ kind: 'root', size })) expect(alter.run(admin.orgId, level, index).changes).toBe(1);
    expect(db.prepare('UPDATE merkle_orgs SET root = zeroblob(32) WHERE org = ? AND size = ?').run(admin.orgId, size).changes).toBe(1);
    db.close();

    // The org grows while no process keeps its nodes.
    server = await startTestServer({ ...env, LOG_CHECKPOINTS: 'off' });
    await new Journey(server).addAgent(admin, 'dave');
    await server.close();

    server = await startTestServer(env);
    expect(await waitFor('a checkpoint of the grown log', signedAll)).toBe(size + 1);
    const keyring = parseVerifierKeys((await call<string>(server, 'GET', '/v1/log-key')).body);
    const check = await checkLogHere(server.eventStore, keyring)(new AbortController().signal, (error) => {
      throw error;
    });
    expect(check?.faults).toEqual([]);
  });
});

/**
 * The same for the state the follower stored beyond the org's latest checkpoint (leaves it stored
 * before the server stopped, not signed yet): its row's root, what the checkpointer signs at the
 * next start, must be vouched for too, against the root the log gives at that size.
 */
describe('checkpoints after the root of a stored, unsigned state was altered on disk', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-tampered-row-'));
  const env = { DATA_DIR: dataDir, LOG_CHECKPOINT_DELAY_MS: '50', LOG_SELF_CHECK_INTERVAL_MS: '0' };
  let server: TestServer;
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const storedSize = (orgId: string): number | undefined => {
    const db = new Database(join(dataDir, 'merkle-nodes.sqlite'), { readonly: true });
    db.pragma('busy_timeout = 5000');
    const row = db.prepare('SELECT size FROM merkle_orgs WHERE org = ?').get(orgId) as { size: number } | undefined;
    db.close();
    return row?.size;
  };

  it('signs the root the log gives at that size, not the altered one', async () => {
    server = await startTestServer(env);
    const admin = await new Journey(server).createOrg('alice');
    const leaves = async () => (await loggedEvents(server, admin.orgId)).filter((event) => event.type !== CHECKPOINT_SIGNED).length;
    const signedSizes = async () => (await loggedEvents(server, admin.orgId)).filter((event) => event.type === CHECKPOINT_SIGNED).map((event) => (event.data as unknown as CheckpointSignedData).size);
    const signed = await waitFor('a checkpoint of every event', async () => {
      const size = await leaves();
      return (await signedSizes()).includes(size) && size;
    });
    await server.close();

    // Checkpoints a day after growth: the follower stores the new leaf, nothing signs it.
    server = await startTestServer({ ...env, LOG_CHECKPOINT_DELAY_MS: '86400000' });
    await new Journey(server).addAgent(admin, 'bob');
    await waitFor('the follower to store the new leaf', () => storedSize(admin.orgId) === signed + 1);
    await server.close();
    const db = new Database(join(dataDir, 'merkle-nodes.sqlite'));
    expect(db.prepare('UPDATE merkle_orgs SET root = zeroblob(32) WHERE org = ? AND size = ?').run(admin.orgId, signed + 1).changes).toBe(1);
    db.close();

    server = await startTestServer(env);
    await waitFor('a checkpoint of the stored state', async () => (await signedSizes()).includes(signed + 1));
    const keyring = parseVerifierKeys((await call<string>(server, 'GET', '/v1/log-key')).body);
    const check = await checkLogHere(server.eventStore, keyring)(new AbortController().signal, (error) => {
      throw error;
    });
    expect(check?.faults).toEqual([]);
  });
});
