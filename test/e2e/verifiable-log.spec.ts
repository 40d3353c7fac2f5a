import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openCheckpoint } from '../../src/transparency/checkpoint';
import { leafInput } from '../../src/transparency/event-leaf';
import { CHECKPOINT_SIGNED, checkpointOrigin, type CheckpointSignedData } from '../../src/transparency/log-checkpointer';
import { LOG_KEY_FILE } from '../../src/transparency/log-key';
import { CompactRange, leafHash } from '../../src/transparency/merkle-tree';
import { openNote, parseSignerKey, parseVerifierKey, signNote } from '../../src/transparency/signed-note';
import { call, Journey } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/test-server';

describe('verifiable log over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ LOG_CHECKPOINT_DELAY_MS: '50' });
  });
  afterAll(() => server.close());

  it('serves the log verifier key as text without a token; it verifies what the key in DATA_DIR signs', async () => {
    const reply = await call(server, 'GET', '/v1/log-key');
    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^text\/plain/);
    const verifier = parseVerifierKey(reply.body as string);
    const file = join(server.dataDir, LOG_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const signer = parseSignerKey(readFileSync(file, 'utf8'));
    expect(openNote(signNote('checkpoint\n', [signer]), [verifier]).verifiedBy).toEqual([verifier]);
  });

  it("exports signed checkpoints with the org's events; each root is the tree of the exported events before it", async () => {
    const journey = new Journey(server);
    const admin = await journey.createOrg('alice');
    await journey.addAgent(admin, 'bob');
    const verifier = parseVerifierKey((await call(server, 'GET', '/v1/log-key')).body as string);

    let lines: Record<string, unknown>[] = [];
    const deadline = Date.now() + 15_000;
    while (!lines.some((line) => line.type === CHECKPOINT_SIGNED && (line.data as CheckpointSignedData).size === 3)) {
      if (Date.now() > deadline) throw new Error(`no checkpoint of 3 events in ${JSON.stringify(lines)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const reply = await call(server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/export`, admin.token);
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
});
