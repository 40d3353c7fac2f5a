import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditLogProjection } from '../projections/audit-log.projection';
import { AuditProofs } from '../src/application/queries/audit-proofs';
import { decode } from '../src/domain/events/decode';
import { SqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import { ProjectionRunner } from '../src/read-models/projection-runner';
import { SqliteReadModelStore } from '../src/read-models/sqlite/sqlite-read-model-store';
import { newId } from '../src/shared/ids';
import { checkpointOrigin, signCheckpoint, timestampLine } from '../src/transparency/checkpoint';
import { eventLeafInput } from '../src/transparency/event-leaf';
import { LOG_ACTOR } from '../src/domain/shared/actor';
import { CHECKPOINT_SIGNED } from '../src/transparency/log-checkpointer';
import { checkpointStream } from '../src/domain/streams';
import { DEFAULT_LOG_KEY_NAME, logKeyOf } from '../src/transparency/log-key';
import { MerkleFollower } from '../src/transparency/merkle-follower';
import { CompactRange, inclusionProof, leafHash, type Hash } from '../src/transparency/merkle-tree';
import { SqliteMerkleNodeStore } from '../src/transparency/node-store/sqlite-merkle-node-store';
import { signerFromSeed } from '../src/transparency/signed-note';
import { appendAll, orgOfAgents } from '../test/read-models/fixtures/synthetic-log';
import type { Bench } from './bench-row';

/**
 * Inclusion proofs served from the Merkle node store (embedded SQLite) as the endpoint serves
 * them: the latest checkpoint from the audit-log read model, O(log n) stored nodes, the proof
 * tied to the signed root and verified. Measured on one org of AGENTS agents, beside computing
 * the same proofs from every node of the tree held in memory (no store, no check).
 */
const AGENTS = 10_000;
const ORG = 'bench-org';
const SAMPLES = 500;

export const auditProofsBench: Bench = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-bench-proofs-'));
  try {
    const events = new SqliteEventStore({ path: join(dir, 'events.sqlite') });
    await appendAll(events, orgOfAgents(ORG, AGENTS), 1000);
    const log = (await events.readAll(undefined, 10_000_000)).map((event) => decode(event));
    const tree = CompactRange.empty();
    const memory = new Map<string, Hash>();
    for (const event of log) for (const node of tree.append(leafHash(eventLeafInput(event)))) memory.set(`${node.level}/${node.index}`, node.hash);
    const signer = signerFromSeed(DEFAULT_LOG_KEY_NAME, randomBytes(32));
    const note = signCheckpoint({ origin: checkpointOrigin(signer.name, ORG), size: tree.size, rootHash: tree.root(), extensions: [timestampLine(new Date())] }, signer);
    const id = newId();
    const metadata = { actor: LOG_ACTOR, orgId: ORG, occurredAt: new Date().toISOString(), correlationId: id, causationId: id };
    await events.append([{ stream: checkpointStream(ORG), expected: 'no_stream', events: [{ id, type: CHECKPOINT_SIGNED, schemaVersion: 1, data: { size: tree.size, note }, metadata }] }]);

    const readModels = new SqliteReadModelStore({ path: join(dir, 'read-models.sqlite') });
    await readModels.init();
    const head = (await events.headPosition()) as bigint;
    const runner = new ProjectionRunner(events, readModels, [auditLogProjection], { batchSize: 1000 });
    await runner.start();
    while ((runner.position ?? -1n) < head) await new Promise((resolve) => setTimeout(resolve, 20));
    await runner.stop();
    const nodes = new SqliteMerkleNodeStore({ path: join(dir, 'merkle-nodes.sqlite') });
    const follower = new MerkleFollower(events, nodes);
    await follower.start();
    await follower.whenCaughtUp();
    await follower.stop();

    const indexes = Array.from({ length: SAMPLES }, (_, i) => Math.floor((i * tree.size) / SAMPLES));
    const proofs = new AuditProofs(readModels, logKeyOf(signer), nodes);
    const started = performance.now();
    for (const index of indexes) await proofs.inclusion(ORG, index, tree.size);
    const proofMs = (performance.now() - started) / SAMPLES;

    const bare = performance.now();
    for (const index of indexes) inclusionProof(index, tree.size, (id) => memory.get(`${id.level}/${id.index}`)!);
    const bareMs = (performance.now() - bare) / SAMPLES;

    await nodes.close();
    await readModels.close();
    await events.close();
    const perSecond = (ms: number) => Math.round(1000 / ms);
    console.error(`  inclusion proof in a tree of ${tree.size} events: ${(proofMs * 1000).toFixed(0)} µs each`);
    return [
      {
        name: `inclusion proof from the Merkle node store (checkpoint read, nodes read, tied to the signed root, verified), embedded SQLite, one org of ${tree.size.toLocaleString('en-US')} events (${(proofMs * 1000).toFixed(0)} µs a proof)`,
        value: perSecond(proofMs),
        unit: 'proofs/s',
        ceilingName: 'the same proofs from every node of the tree in memory',
        ceilingValue: perSecond(bareMs),
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
