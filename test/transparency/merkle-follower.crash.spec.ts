/**
 * A follower process killed for real (SIGKILL) in the middle of its catch-up resumes from its
 * checkpoint in the node store: only the events after it are delivered again, and every org's
 * stored tree then gives the roots and proofs of the tree built in memory from the log.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { MerkleFollower } from '../../src/transparency/merkle-follower';
import { SqliteMerkleNodeStore } from '../../src/transparency/node-store/sqlite-merkle-node-store';
import { appendAll, syntheticCommands } from '../read-models/fixtures/synthetic-log';
import { openEventLog } from '../read-models/support/read-model-fixture';
import { tempDir } from '../read-models/support/stores';
import { counted, expectSameProofs } from './support/memory-trees';
import { killMidCatchUp } from '../support/kill-mid-catch-up';

it('a follower killed mid-catch-up resumes from its checkpoint: nothing skipped, nothing applied twice', async () => {
  const log = openEventLog();
  const dir = tempDir('merkle-crash');
  const nodesPath = join(dir, 'merkle-nodes.sqlite');
  const nodes = new SqliteMerkleNodeStore({ path: nodesPath });
  try {
    await appendAll(log.events, syntheticCommands({ orgs: 4, agentsPerOrg: 25, commands: 3000, seed: 7 }));
    const head = (await log.events.headPosition()) as bigint;

    const reported = await killMidCatchUp(['--require', './scripts/register-ts.js', 'test/transparency/fixtures/run-merkle-follower.ts', log.path, nodesPath, '25'], head, 'follower');
    const checkpoint = (await nodes.checkpoint())!;
    // The kill landed mid-catch-up: something was stored, not everything.
    expect(checkpoint.position).toBeGreaterThan(0n);
    expect(checkpoint.position).toBeLessThan(head);
    expect(checkpoint.position).toBeGreaterThanOrEqual(BigInt(reported));

    const { log: watched, delivered } = counted(log.events);
    const follower = new MerkleFollower(watched, nodes, { batchSize: 500 });
    await follower.start();
    await follower.whenCaughtUp();
    await follower.stop();
    expect(delivered[0].position).toBeGreaterThan(checkpoint.position);
    expect(delivered.at(-1)?.position).toBe(head);
    await expectSameProofs(log.events, nodes, (size) => [[0, size], [size - 1, size], [Math.floor(size / 3), Math.floor(size / 2) + 1]]);
  } finally {
    await nodes.close();
    await log.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);
