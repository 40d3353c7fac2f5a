/**
 * The embedded projector on its worker thread: a process killed for real (SIGKILL) in the middle
 * of the thread's catch-up resumes from its checkpoints on the next start, with the read models
 * then equal to the reference semantics; and the caller's own connection reads the read models
 * (a pending-keys page, the checkpoints) while the thread catches up.
 */
import { rmSync } from 'node:fs';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { InProcessLease } from '../../src/leases/in-process-lease';
import { Projector } from '../../src/runtime/projector';
import { join } from 'node:path';
import { PROJECTIONS } from '../../projections/projections';
import { projectedModels } from '../../src/read-models/projected-models';
import { projectorLanes } from '../../src/runtime/projector-lanes';
import { startOnThread } from '../../src/runtime/projector-thread';
import { appendAll, syntheticCommands } from '../read-models/fixtures/synthetic-log';
import { dumpAll, openEventLog, readWholeLog, referenceDump } from '../read-models/support/read-model-fixture';
import { SqliteReadModelStore } from '../../src/read-models/sqlite/sqlite-read-model-store';
import { tempDir } from '../read-models/support/stores';
import { killMidCatchUp } from '../support/kill-mid-catch-up';

const ROOT = join(__dirname, '..', '..');
/** The built child (npm test builds first): neither it nor its thread compiles TypeScript at start. */
const CHILD = join(ROOT, 'dist/test/runtime/fixtures/run-projector-thread.js');
/**
 * Events in each batch of the thread the test kills: a log several batches long stays quick to write.
 * A batch of 2,000 takes the child most of a second, ample for the kill to land before the head, and
 * the resumed thread's catch-up of the rest (one batch) still outlasts many of the caller's reads.
 */
const KILLED_BATCH_EVENTS = 2000;

describe('projector on worker threads (embedded)', () => {
  it.each([1, 2])('on %i thread(s), killed mid-catch-up, resumes from its checkpoints on the next start while the caller reads', async (threads) => {
    const log = openEventLog();
    const dir = tempDir('projector-thread');
    const readModelsPath = join(dir, 'read-models.sqlite');
    // The API's own connection, as the embedded runtime opens it: the audit trail is the log's.
    const opened = { store: new SqliteReadModelStore({ path: readModelsPath, eventLogPath: log.path }) };
    try {
      // Several of the killed thread's batches, so the kill lands between two.
      await appendAll(log.events, syntheticCommands({ orgs: 4, agentsPerOrg: 25, commands: 4 * KILLED_BATCH_EVENTS, seed: 5 }));
      await opened.store.init();
      const head = (await log.events.headPosition()) as bigint;

      const killedAt = await killMidCatchUp([CHILD, log.path, readModelsPath, String(KILLED_BATCH_EVENTS), String(threads)], head, 'projector thread');
      const checkpoints = await Promise.all(Object.values(PROJECTIONS).map((p) => opened.store.checkpoint(p.name)));
      // The kill landed mid-catch-up: something was checkpointed, not everything.
      expect(killedAt).toBeGreaterThan(0);
      expect(checkpoints.some((c) => c === undefined || c < head)).toBe(true);

      const errors: unknown[] = [];
      const lanes = projectorLanes(projectedModels(opened.store).map(({ name }) => name), threads);
      expect(lanes).toHaveLength(threads);
      const running = await startOnThread({ eventLogPath: log.path, readModelsPath, lanes })({
        onError: (error) => errors.push(error),
        onDiverged: () => undefined,
        onRebuilt: () => undefined,
        onStalled: () => undefined,
      });
      // The caller's own connection answers while the thread writes (WAL), and sees its checkpoints move.
      let readsDuringCatchUp = 0;
      for (;;) {
        const positions = await Promise.all(Object.values(PROJECTIONS).map((p) => opened.store.checkpoint(p.name)));
        if (positions.every((p) => p !== undefined && p >= head)) break;
        await opened.store.find({ collection: 'pending_keys', conditions: [{ field: 'orgId', op: 'eq', value: 'org-0' }], orderBy: 'requestedPosition', limit: 50 });
        readsDuringCatchUp += 1;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      expect(readsDuringCatchUp).toBeGreaterThan(0);
      // The runner's view, as the thread reports it, reached the head too.
      for (const { name } of projectedModels(opened.store)) {
        while ((running.positionOf(name) ?? -1n) < head) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await running.stop();
      expect(errors).toEqual([]);
      expect(await dumpAll(opened.store)).toEqual(referenceDump(await readWholeLog(log.events)));
    } finally {
      await opened.store.close();
      rmSync(dir, { recursive: true, force: true });
      await log.cleanup();
    }
  }, 240_000);
});

describe('projector with its worker threads', () => {
  it('starts the threads again after they died, and reports why', async () => {
    const root = tempDir('projector-restart');
    // The read-model file is not initialised yet: the thread dies at its start, for real, until it is.
    const dir = join(root, 'data');
    const eventLogPath = join(dir, 'events.sqlite');
    const readModelsPath = join(dir, 'read-models.sqlite');
    // The files exist, as the process that starts the thread opened them first (the thread never makes them).
    await new SqliteEventStore({ path: eventLogPath }).close();
    await new SqliteReadModelStore({ path: readModelsPath, eventLogPath }).close();
    const errors: string[] = [];
    const models = ['pending-keys', 'org-status', 'as-of', 'recoveries'] as const;
    const projector = new Projector(models, startOnThread({ eventLogPath, readModelsPath, lanes: projectorLanes(models, 2) }), new InProcessLease(), (error) => errors.push(String(error)));
    let store: SqliteReadModelStore | undefined;
    let events: SqliteEventStore | undefined;
    try {
      projector.start();
      while (!errors.some((error) => /projector thread ended/.test(error))) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(errors.join('\n')).toMatch(/not initialised/);
      events = new SqliteEventStore({ path: eventLogPath });
      await appendAll(events, syntheticCommands({ orgs: 2, agentsPerOrg: 10, commands: 300, seed: 9 }));
      store = new SqliteReadModelStore({ path: readModelsPath, eventLogPath });
      await store.init();
      const head = (await events.headPosition()) as bigint;
      const checkpoints = async () => Promise.all(projectedModels(store!).map((p) => store!.checkpoint(p.name)));
      while (!(await checkpoints()).every((c) => c !== undefined && c >= head)) await new Promise((resolve) => setTimeout(resolve, 20));
      await projector.stop();
      expect(await dumpAll(store)).toEqual(referenceDump(await readWholeLog(events)));
    } finally {
      await projector.stop();
      await store?.close();
      await events?.close();
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});
