/**
 * One reader feeds every read model: a model whose projection or whose writes fail is held at
 * its checkpoint while the others go on and stay exact, and a batch written for some models only
 * (a crash between two models' writes) is finished on resumption without applying anything twice.
 */
import type { DocumentChange } from '../../projections/document-change';
import type { Projection, ReadModelName } from '../../projections/projection';
import { PROJECTIONS } from '../../projections/projections';
import type { ModelBatch, ReadModelStore } from '../../src/read-models/read-model-store.port';
import { ProjectionRunner } from '../../src/read-models/projection-runner';
import { appendAll, syntheticCommands } from './fixtures/synthetic-log';
import { dumpAll, openEventLog, readWholeLog, referenceDump, storeKinds, waitUntilCaughtUp } from './support/read-model-fixture';

const RETRY = { initialMs: 20, maxMs: 20, jitter: 'none' } as const;

describe.each(storeKinds('shared projection reader'))('one reader feeding every read model on $name', (kind) => {
  let log: ReturnType<typeof openEventLog>;
  let opened: Awaited<ReturnType<typeof kind.open>>;
  beforeEach(async () => {
    log = openEventLog();
    opened = await kind.open();
    await opened.store.init();
    await appendAll(log.events, syntheticCommands({ orgs: 2, agentsPerOrg: 6, commands: 150, seed: 21 }));
  });
  afterEach(async () => {
    await opened.cleanup();
    await log.cleanup();
  });

  it("holds a failing model at its checkpoint without touching the others' checkpoints, and feeds it again once it works", async () => {
    const events = await readWholeLog(log.events);
    const head = events.at(-1)!.position;
    // org-status's projection throws at one event; pending-keys makes a change its store refuses at another.
    const throwsAt = events[Math.floor(events.length / 3)].position;
    const refusedAt = events.find((event, i) => i > events.length / 2 && event.type === 'KeyRequested')!.position;
    let broken = true;
    const orgStatus: Projection = {
      ...PROJECTIONS['org-status'],
      project: (event) => {
        if (broken && event.position === throwsAt) throw new Error('org-status cannot project this event');
        return PROJECTIONS['org-status'].project(event);
      },
    };
    const pendingKeys: Projection = {
      ...PROJECTIONS['pending-keys'],
      project: (event) => {
        const changes = PROJECTIONS['pending-keys'].project(event);
        if (!broken || event.position !== refusedAt) return changes;
        // orgId is a string: no store can set a field inside it.
        const refused: DocumentChange = { kind: 'patch', collection: 'pending_keys', id: (changes[0] as { id: string }).id, set: { 'orgId.inside': 1 } };
        return [...changes, refused];
      },
    };
    const errors: unknown[] = [];
    const runner = new ProjectionRunner(log.events, opened.store, [pendingKeys, orgStatus, PROJECTIONS['audit-log']], {
      batchSize: 40,
      retry: RETRY,
      onError: (error) => errors.push(error),
    });
    await runner.start();
    try {
      await waitFor(async () => (await opened.store.checkpoint('audit-log')) === head);
      // The failing models were fed again and again meanwhile, and each time failed at the same event.
      await waitFor(async () => errors.length >= 6);
      expect((await opened.store.checkpoint('org-status')) ?? -1n).toBeLessThan(throwsAt);
      expect((await opened.store.checkpoint('pending-keys')) ?? -1n).toBeLessThan(refusedAt);
      expect(runner.positionOf('audit-log')).toBe(head);
      const reference = referenceDump(events);
      expect((await dumpAll(opened.store)).audit_log).toEqual(reference.audit_log);

      broken = false;
      await waitUntilCaughtUp(log.events, opened.store);
      expect(await dumpAll(opened.store)).toEqual(reference);
    } finally {
      await runner.stop();
    }
  }, 120_000);

  it('finishes a batch that a crash left written for some models only, applying nothing twice', async () => {
    const events = await readWholeLog(log.events);
    // The third batch: the first model's share is written and checkpointed, then the process "dies".
    let batches = 0;
    const written: Array<{ model: ReadModelName; checkpoint: bigint | undefined }> = [];
    const crashing: ReadModelStore = Object.create(opened.store, {
      applyBatches: {
        value: async (modelBatches: readonly ModelBatch[]) => {
          if (++batches !== 3) return opened.store.applyBatches(modelBatches);
          const failed = await opened.store.applyBatches(modelBatches.slice(0, 1));
          for (const { model } of modelBatches) written.push({ model, checkpoint: await opened.store.checkpoint(model) });
          if (failed.size > 0) throw new Error('the first model failed by itself');
          throw new Error('crash between two models');
        },
      },
    }) as ReadModelStore;
    const first = new ProjectionRunner(log.events, crashing, Object.values(PROJECTIONS), { batchSize: 50, retry: { initialMs: 60_000, maxMs: 60_000 } });
    await first.start();
    await waitFor(async () => written.length > 0);
    await first.stop();
    // Mid-batch indeed: one model is ahead of the others.
    const [ahead, ...behind] = written;
    for (const other of behind) expect(other.checkpoint).toBeLessThan(ahead.checkpoint as bigint);

    const resumed = new ProjectionRunner(log.events, opened.store, Object.values(PROJECTIONS), { batchSize: 50 });
    await resumed.start();
    try {
      await waitUntilCaughtUp(log.events, opened.store);
    } finally {
      await resumed.stop();
    }
    const audit = await opened.store.dump('audit_log');
    expect(audit.map((entry) => Number(entry.document.position)).sort((a, b) => a - b)).toEqual(events.map((event) => Number(event.position)));
    expect(await dumpAll(opened.store)).toEqual(referenceDump(events));
  }, 120_000);
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
