import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointOrigin, openCheckpoint } from '../../src/transparency/checkpoint';
import { DEFAULT_LOG_KEY_NAME } from '../../src/transparency/log-key';
import { proofNodes, verifyInclusion } from '../../src/transparency/merkle-tree';
import { parseVerifierKey } from '../../src/transparency/signed-note';
import { call, Journey, type TestAgent } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { waitFor } from '../notifications/support/wait-for';

/**
 * The proofs come from the Merkle node store, which the server does not trust (R16): a node
 * altered in the real DATA_DIR/merkle-nodes.sqlite makes the proofs that read it unavailable
 * (503), never wrong; and the server's check at start compares the stored roots with the ones
 * the log gives, rebuilds the store from the log, after which the proofs verify again.
 */
describe('proofs from a tampered Merkle node store', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-merkle-nodes-'));
  const env = { DATA_DIR: dataDir, LOG_CHECKPOINT_DELAY_MS: '50', LOG_SELF_CHECK_INTERVAL_MS: '0' };
  let server: TestServer;
  let admin: TestAgent;
  let size = 0;
  beforeAll(async () => {
    server = await startTestServer(env);
    const journey = new Journey(server);
    admin = await journey.createOrg('alice');
    for (const agentId of ['bob', 'carol', 'dave', 'erin']) await journey.addAgent(admin, agentId);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const checkpoint = async () => {
    const reply = await call(server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/checkpoint`, admin.token);
    if (reply.status !== 200) return undefined;
    const key = parseVerifierKey((await call(server, 'GET', '/v1/log-key')).body as string);
    return openCheckpoint(reply.body as string, key, checkpointOrigin(DEFAULT_LOG_KEY_NAME, admin.orgId));
  };
  const inclusion = (index: number) => call(server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/inclusion?index=${index}&size=${size}`, admin.token);
  const verifies = async (index: number) => {
    const signed = (await checkpoint())!;
    expect(signed.size).toBe(size);
    const reply = await inclusion(index);
    const hash = (text: string) => Buffer.from(text, 'base64');
    return reply.status === 200 && verifyInclusion(hash(reply.body.leafHash), index, size, reply.body.proof.map(hash), signed.rootHash);
  };
  const inNodeStore = (sql: string, ...bindings: Array<string | number>) => {
    const db = new Database(join(dataDir, 'merkle-nodes.sqlite'));
    db.pragma('busy_timeout = 5000');
    const changed = db.prepare(sql).run(...bindings).changes;
    db.close();
    expect(changed).toBe(1);
  };
  const alter = (level: number, index: number) => inNodeStore('UPDATE merkle_nodes SET hash = zeroblob(32) WHERE org = ? AND level = ? AND idx = ?', admin.orgId, level, index);

  it('serves inclusion proofs from the stored nodes that verify against the signed checkpoint', async () => {
    // Every event the org has is signed: the org's stream holds them all, and nothing comes after.
    const events = async () => (await call(server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/export`, admin.token)).body as string;
    size = await waitFor('a checkpoint of every event', async () => {
      const signed = await checkpoint();
      const leaves = (await events()).split('\n').filter((line) => line !== '' && !line.includes('"CheckpointSigned"')).length;
      return signed && signed.size === leaves && signed.size;
    });
    for (let index = 0; index < size; index++) expect(await verifies(index)).toBe(true);
  });

  it('answers 503 naming the node store, not a wrong proof, when a node the proof reads was altered', async () => {
    alter(0, 1);
    const reply = await inclusion(1);
    expect([reply.status, reply.body.code]).toEqual([503, 'STORE_UNAVAILABLE']);
    expect(reply.body.detail).toContain('Merkle node store');
    // A proof that does not read the altered leaf still verifies.
    expect(await verifies(size - 1)).toBe(true);
  });

  it('rebuilds the store from the log when the check at start finds its root differs from the log, and the proofs verify again', async () => {
    // A node of the root at the checkpoint's size: what the check compares.
    const [edge] = proofNodes({ kind: 'root', size });
    alter(edge.level, edge.index);
    expect((await inclusion(0)).status).toBe(503);
    await server.close();
    server = await startTestServer(env);
    await waitFor('the proofs to verify again', async () => (await verifies(0)) && (await verifies(1)));
    const ready = await waitFor('readiness', async () => {
      const reply = await call(server, 'GET', '/health/ready');
      return reply.status === 200 && reply.body;
    });
    expect(ready.details?.merkleNodes).toEqual({ status: 'up' });
  });

  it("rebuilds the store when the root the org's row keeps was altered, its nodes intact: that root is what a checkpoint of an org out of memory signs", async () => {
    await server.close();
    inNodeStore('UPDATE merkle_orgs SET root = zeroblob(32) WHERE org = ? AND size = ?', admin.orgId, size);
    server = await startTestServer(env);
    const rebuilt = await waitFor('the row to keep the root the log gives', async () => {
      const db = new Database(join(dataDir, 'merkle-nodes.sqlite'), { readonly: true });
      db.pragma('busy_timeout = 5000');
      const row = db.prepare('SELECT root FROM merkle_orgs WHERE org = ?').get(admin.orgId) as { root: Buffer | null } | undefined;
      db.close();
      return row?.root && !row.root.equals(Buffer.alloc(32)) ? row.root : undefined;
    });
    expect(rebuilt.equals((await checkpoint())!.rootHash)).toBe(true);
    expect(await verifies(0)).toBe(true);
  });

  it("rebuilds the store when a node off the tree's right edge was altered (a leaf), which no root reads: its proofs answered 503 for good, though the 503 said the check rebuilds them", async () => {
    await server.close();
    // Leaf 1: read by the proofs of leaves 0 and 1 only, by no root of the tree of `size`.
    expect(proofNodes({ kind: 'root', size }).some(({ level, index }) => level === 0 && index === 1)).toBe(false);
    alter(0, 1);
    server = await startTestServer(env);
    await waitFor('the proofs to verify again', async () => (await verifies(0)) && (await verifies(1)), 30_000);
  });
});
