import { PROJECTIONS } from '../../projections/projections';
import { ReadModelProgress } from '../../src/read-models/read-model-progress';
import { rebuildReadModels } from '../../src/read-models/rebuild-read-models';
import { appendAll, syntheticCommands } from './fixtures/synthetic-log';
import { dumpAll, openEventLog, readWholeLog, referenceDump, startRunners, storeKinds, waitUntilCaughtUp } from './support/read-model-fixture';

describe.each(storeKinds('projection runner'))('projection runner on $name', (kind) => {
  let log: ReturnType<typeof openEventLog>;
  let opened: Awaited<ReturnType<typeof kind.open>>;
  beforeEach(async () => {
    log = openEventLog();
    opened = await kind.open();
    await opened.store.init();
  });
  afterEach(async () => {
    await opened.cleanup();
    await log.cleanup();
  });

  it('catches up with the log, follows new events, and resumes from its checkpoint', async () => {
    await appendAll(log.events, syntheticCommands({ orgs: 3, agentsPerOrg: 8, commands: 300, seed: 1 }));
    const first = await startRunners(log.events, opened.store, { batchSize: 50 });
    await waitUntilCaughtUp(log.events, opened.store);
    await appendAll(log.events, syntheticCommands({ orgs: 1, agentsPerOrg: 5, commands: 50, seed: 2 }));
    await waitUntilCaughtUp(log.events, opened.store);
    await first.stop();

    await appendAll(log.events, syntheticCommands({ orgs: 1, agentsPerOrg: 5, commands: 50, seed: 3 }));
    const second = await startRunners(log.events, opened.store, { batchSize: 50 });
    await waitUntilCaughtUp(log.events, opened.store);
    await second.stop();

    expect(await dumpAll(opened.store)).toEqual(referenceDump(await readWholeLog(log.events)));
  });

  it('waits for a position (X-Min-Position), and gives up after the timeout', async () => {
    const running = await startRunners(log.events, opened.store);
    try {
      const progress = new ReadModelProgress(opened.store);
      const appended = await appendAll(log.events, syntheticCommands({ orgs: 1, agentsPerOrg: 3, commands: 5, seed: 4 }));
      const head = (await log.events.headPosition()) as bigint;
      expect(appended).toBeGreaterThan(0);
      await expect(progress.waitForPosition('pending-keys', head, 10_000)).resolves.toBe(true);
      expect(await opened.store.checkpoint('pending-keys')).toBe(head);
      await expect(progress.waitForPosition('audit-log', head + 1000n, 150)).resolves.toBe(false);
    } finally {
      await running.stop();
    }
  });

  it('rebuilds a read model from the log while the old one serves and the log grows, then switches', async () => {
    await appendAll(log.events, syntheticCommands({ orgs: 2, agentsPerOrg: 6, commands: 200, seed: 5 }));
    const live = await startRunners(log.events, opened.store, { batchSize: 20 });
    try {
      await waitUntilCaughtUp(log.events, opened.store);
      const before = await opened.store.activeGeneration('org-status');
      const served: number[] = [];
      const rebuilt = rebuildReadModels(log.events, opened.store, [PROJECTIONS['org-status']], {
        batchSize: 20,
        graceMs: 300,
        onProgress: () => void opened.store.activeGeneration('org-status').then((g) => served.push(g)),
      });
      // Commands keep coming while the rebuild runs.
      await appendAll(log.events, syntheticCommands({ orgs: 1, agentsPerOrg: 4, commands: 60, seed: 6 }), 1);
      const [result] = await rebuilt;
      expect(result.previous).toBe(before);
      expect(served.length).toBeGreaterThan(0);
      expect(served.every((g) => g === before)).toBe(true);
      expect(await opened.store.activeGeneration('org-status')).toBe(result.generation);

      // The live runner moved to the new generation and applies what comes next there.
      await appendAll(log.events, syntheticCommands({ orgs: 1, agentsPerOrg: 4, commands: 30, seed: 7 }));
      await waitUntilCaughtUp(log.events, opened.store);
      expect(await dumpAll(opened.store)).toEqual(referenceDump(await readWholeLog(log.events)));
      expect(await opened.store.inactiveGenerations('org-status')).toEqual([]);
    } finally {
      await live.stop();
    }
  });
});
