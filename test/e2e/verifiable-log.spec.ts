import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointOrigin, openCheckpoint } from '../../src/transparency/checkpoint';
import { leafInput } from '../../src/transparency/event-leaf';
import { CHECKPOINT_SIGNED, type CheckpointSignedData } from '../../src/transparency/log-checkpointer';
import { LOG_KEY_FILE } from '../../src/transparency/log-key';
import { CompactRange, leafHash, verifyConsistency, verifyInclusion } from '../../src/transparency/merkle-tree';
import { openNote, parseSignerKey, parseVerifierKey, signNote } from '../../src/transparency/signed-note';
import { call, type TestAgent } from '../support/api-client';
import { serverForSuite } from '../support/server-for-suite';

describe('verifiable log over HTTP', () => {
  const suite = serverForSuite({ LOG_CHECKPOINT_DELAY_MS: '50' });

  it('serves the log verifier key as text without a token; it verifies what the key in DATA_DIR signs', async () => {
    const reply = await call(suite.server, 'GET', '/v1/log-key');
    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^text\/plain/);
    const verifier = parseVerifierKey(reply.body as string);
    const file = join(suite.server.dataDir, LOG_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const signer = parseSignerKey(readFileSync(file, 'utf8'));
    expect(openNote(signNote('checkpoint\n', [signer]), [verifier]).verifiedBy).toEqual([verifier]);
  });

  it("exports signed checkpoints with the org's events; each root is the tree of the exported events before it", async () => {
    const admin = await suite.journey.createOrg('alice');
    await suite.journey.addAgent(admin, 'bob');
    const verifier = parseVerifierKey((await call(suite.server, 'GET', '/v1/log-key')).body as string);

    let lines: Record<string, unknown>[] = [];
    const deadline = Date.now() + 15_000;
    while (!lines.some((line) => line.type === CHECKPOINT_SIGNED && (line.data as CheckpointSignedData).size === 3)) {
      if (Date.now() > deadline) throw new Error(`no checkpoint of 3 events in ${JSON.stringify(lines)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const reply = await call(suite.server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/export`, admin.token);
      lines = String(reply.body).trim().split('\n').map((line) => JSON.parse(line));
    }

    // What an auditor does with the file and the key: recompute the tree, check every checkpoint.
    // An event appended while a checkpoint was being signed comes before it in the file: keep every root.
    const tree = CompactRange.empty();
    const roots = [tree.root()];
    let checked = 0;
    for (const line of lines) {
      if (line.type !== CHECKPOINT_SIGNED) {
        tree.append(leafHash(leafInput(line as never)));
        roots.push(tree.root());
        continue;
      }
      const { note, size } = line.data as CheckpointSignedData;
      const checkpoint = openCheckpoint(note, verifier, checkpointOrigin(verifier.name, admin.orgId));
      expect(checkpoint.size).toBe(size);
      expect(checkpoint.size).toBeLessThanOrEqual(tree.size);
      expect(checkpoint.rootHash).toEqual(roots[checkpoint.size]);
      checked += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(1);
  });

  /** Polls the served checkpoint until it covers at least `size` events; returns it opened with the served log key. */
  async function checkpointOf(agent: TestAgent, size: number) {
    const verifier = parseVerifierKey((await call(suite.server, 'GET', '/v1/log-key')).body as string);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const reply = await call(suite.server, 'GET', `/v1/orgs/${agent.orgId}/audit-log/checkpoint`, agent.token);
      if (reply.status === 200) {
        expect(reply.contentType).toMatch(/^text\/plain/);
        const checkpoint = openCheckpoint(reply.body as string, verifier, checkpointOrigin(verifier.name, agent.orgId));
        if (checkpoint.size >= size) return checkpoint;
      } else {
        expect(reply.body.code).toBe('CHECKPOINT_NOT_FOUND');
      }
      if (Date.now() > deadline) throw new Error(`no checkpoint of ${size} events`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('serves the latest checkpoint and consistency and inclusion proofs that verify against the served checkpoints', async () => {
    const admin = await suite.journey.createOrg('carol');
    const auditor = await suite.journey.addAgent(admin, 'dave', 'AUDITOR');
    const member = await suite.journey.addAgent(admin, 'erin');
    const first = await checkpointOf(auditor, 3);
    await suite.journey.addAgent(admin, 'frank');
    await suite.journey.addAgent(admin, 'grace', 'ADMIN');
    const second = await checkpointOf(auditor, first.size + 2);
    const base = `/v1/orgs/${admin.orgId}/audit-log`;

    const consistency = await call(suite.server, 'GET', `${base}/consistency?from=${first.size}&to=${second.size}`, auditor.token);
    expect(consistency.status).toBe(200);
    expect(consistency.body).toMatchObject({ from: first.size, to: second.size });
    const proof = (consistency.body.proof as string[]).map((hash) => Buffer.from(hash, 'base64'));
    expect(verifyConsistency(first.size, second.size, first.rootHash, second.rootHash, proof)).toBe(true);
    expect(verifyConsistency(first.size, second.size, second.rootHash, first.rootHash, proof)).toBe(false);

    // Each event of the export is in the tree at its index, with the leaf hash an auditor computes from its line.
    const lines = String((await call(suite.server, 'GET', `${base}/export`, admin.token)).body)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .filter((line) => line.type !== CHECKPOINT_SIGNED);
    for (let index = 0; index < second.size; index += 1) {
      const inclusion = await call(suite.server, 'GET', `${base}/inclusion?index=${index}&size=${second.size}`, admin.token);
      expect(inclusion.status).toBe(200);
      const leaf = leafHash(leafInput(lines[index]));
      expect(inclusion.body).toMatchObject({ index, size: second.size, leafHash: leaf.toString('base64') });
      const path = (inclusion.body.proof as string[]).map((hash) => Buffer.from(hash, 'base64'));
      expect(verifyInclusion(leaf, index, second.size, path, second.rootHash)).toBe(true);
    }

    const refused = async (path: string, token = admin.token) => {
      const reply = await call(suite.server, 'GET', `${base}/${path}`, token);
      return [reply.status, reply.body.code];
    };
    expect(await refused(`consistency?from=1&to=${second.size + 1000}`)).toEqual([400, 'INVALID_TREE_SIZE']);
    expect(await refused(`consistency?from=3&to=2`)).toEqual([400, 'INVALID_TREE_SIZE']);
    expect(await refused(`inclusion?index=${second.size}&size=${second.size}`)).toEqual([400, 'INVALID_TREE_SIZE']);
    expect(await refused(`inclusion?index=-1&size=2`)).toEqual([400, 'INVALID_INPUT']);
    expect(await refused(`consistency?from=x&to=2`)).toEqual([400, 'INVALID_INPUT']);
    expect(await refused('checkpoint', member.token)).toEqual([403, 'NOT_ALLOWED']);
    expect(await refused('consistency?from=1&to=2', member.token)).toEqual([403, 'NOT_ALLOWED']);
  });
});

describe('an org without a checkpoint yet', () => {
  const suite = serverForSuite();

  it('answers 404 CHECKPOINT_NOT_FOUND for the checkpoint and the proofs', async () => {
    const admin = await suite.journey.createOrg('alice');
    for (const path of ['checkpoint', 'consistency?from=0&to=1', 'inclusion?index=0&size=1']) {
      const reply = await call(suite.server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/${path}`, admin.token);
      expect([path, reply.status, reply.body.code]).toEqual([path, 404, 'CHECKPOINT_NOT_FOUND']);
    }
  });
});
