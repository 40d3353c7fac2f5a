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
import { CHECKPOINT_SIGNED, checkpointStream, LOG_ACTOR } from '../src/transparency/log-checkpointer';
import { DEFAULT_LOG_KEY_NAME, logKeyOf } from '../src/transparency/log-key';
import { CompactRange, leafHash } from '../src/transparency/merkle-tree';
import { signerFromSeed } from '../src/transparency/signed-note';
import { appendAll, orgOfAgents } from '../test/read-models/fixtures/synthetic-log';
import type { Bench } from './bench-row';

/**
 * An inclusion proof is rebuilt from the org's rows of the audit-log read model (embedded SQLite)
 * on each request: O(events of the org). Measured on one org of AGENTS agents, beside hashing the
 * leaves of the same events already in memory (canonical JSON + SHA-256), the part no store can save.
 */
const AGENTS = 10_000;
const ORG = 'bench-org';
const SAMPLES = 5;

export const auditProofsBench: Bench = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-bench-proofs-'));
  try {
    const events = new SqliteEventStore({ path: join(dir, 'events.sqlite') });
    await appendAll(events, orgOfAgents(ORG, AGENTS), 1000);
    const log = (await events.readAll(undefined, 10_000_000)).map((event) => decode(event));
    const tree = CompactRange.empty();
    for (const event of log) tree.append(leafHash(eventLeafInput(event)));
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

    const proofs = new AuditProofs(readModels, logKeyOf(signer));
    const started = performance.now();
    for (let i = 0; i < SAMPLES; i += 1) await proofs.inclusion(ORG, i, tree.size);
    const proofMs = (performance.now() - started) / SAMPLES;

    const bare = performance.now();
    for (let i = 0; i < SAMPLES; i += 1) for (const event of log) leafHash(eventLeafInput(event));
    const bareMs = (performance.now() - bare) / SAMPLES;

    await readModels.close();
    await events.close();
    const perSecond = (ms: number) => Math.round((tree.size / ms) * 1000);
    console.error(`  inclusion proof over ${tree.size} events: ${proofMs.toFixed(0)} ms each`);
    return [
      {
        name: `inclusion proof rebuilt from the audit-log read model, embedded SQLite, one org of ${tree.size.toLocaleString('en-US')} events (${proofMs.toFixed(0)} ms a proof)`,
        value: perSecond(proofMs),
        unit: 'events/s',
        ceilingName: 'leaf hashing of the same events in memory (RFC 8785 canonical JSON + SHA-256)',
        ceilingValue: perSecond(bareMs),
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
