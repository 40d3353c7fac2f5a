/**
 * One runner feeds every read model from one reading of the log. Besides catching up, following
 * and rebuilding: a model whose projection or whose writes fail is held at its checkpoint while
 * the others go on and stay exact, and a batch written for some models only (a crash between two
 * models' writes) is finished on resumption without applying anything twice.
 */
import type { DocumentChange } from '../../projections/document-change';
import type { Projection, ReadModelName } from '../../projections/projection';
import type { LogEventType } from '../../src/domain/events/event-catalogue';
import type { EventStore, RecordedEvent, SubscriptionOptions } from '../../src/event-store/event-store.port';
import type { StalledAtEvent } from '../../src/event-store/stalled-at-event';
import { OrgLog } from '../notifications/support/org-log';
import type { ModelBatch, ReadModelStore } from '../../src/read-models/read-model-store.port';
import { ProjectionRunner } from '../../src/read-models/projection-runner';
import { PROJECTIONS } from '../../projections/projections';
import { ReadModelProgress } from '../../src/read-models/read-model-progress';
import { rebuildReadModels } from '../../src/read-models/rebuild-read-models';
import { appendAll, syntheticCommands } from './fixtures/synthetic-log';
import { OrgEventBuilder } from '../projections/support/org-event-builder';
import { dumpAll, openEventLog, readWholeLog, referenceDump, startRunners, storeKinds, waitUntilCaughtUp } from './support/read-model-fixture';

const RETRY = { initialMs: 20, maxMs: 20, jitter: 'none' } as const;

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
    // Some six batches to catch up with, as 300 commands in batches of 50 were, a third of the writes.
    await appendAll(log.events, syntheticCommands({ orgs: 3, agentsPerOrg: 8, commands: 100, seed: 1 }));
    const first = await startRunners(log.events, opened.store, { batchSize: 20 });
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

  it('checkpoints past events no model makes changes for, at the id of the last one, also when they end the log', async () => {
    await appendAll(log.events, syntheticCommands({ orgs: 1, agentsPerOrg: 4, commands: 20, seed: 5 }));
    // Tasks of an agent without a key: refused, a type no projection takes, read past unread.
    const builder = new OrgEventBuilder('org-refused');
    const refused = [builder.createOrganization('org-refused.root'), ...Array.from({ length: 7 }, () => builder.sensitiveTask('org-refused.nobody', 'chrome.laptop', 'remote-control'))];
    expect(refused.slice(1).every((events) => events.every(({ event }) => event.type === 'SensitiveTaskRefused'))).toBe(true);
    await appendAll(log.events, refused);
    const running = await startRunners(log.events, opened.store, { batchSize: 3 });
    try {
      await waitUntilCaughtUp(log.events, opened.store);
      const [last] = await log.events.readAll((await log.events.headPosition()) as bigint - 1n, 1);
      for (const model of ['pending-keys', 'org-status'] as const) {
        expect(await opened.store.checkpointEvent(model)).toEqual({ position: last.position, eventId: last.id });
      }
    } finally {
      await running.stop();
    }
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

  it('stops at an event a newer release wrote: says so once (onStalled), not at each retry (onError), and goes on retrying it', async () => {
    await appendAll(log.events, syntheticCommands({ orgs: 1, agentsPerOrg: 4, commands: 20, seed: 41 }));
    const acme = new OrgLog(log.events, 'acme-newer');
    const { max } = await acme.pendingMemberRequest('Acme');
    const newer = await acme.request(max, undefined, 2);
    const position = (await readWholeLog(log.events)).find((event) => event.id === newer.eventId)!.position;
    // Each retry subscribes again.
    let subscriptions = 0;
    const counted: EventStore = Object.assign(Object.create(log.events) as EventStore, {
      subscribeToAll: (options: SubscriptionOptions) => {
        subscriptions += 1;
        return log.events.subscribeToAll(options);
      },
    });
    const errors: unknown[] = [];
    const stalls: StalledAtEvent[] = [];
    const runner = new ProjectionRunner(counted, opened.store, Object.values(PROJECTIONS), { retry: RETRY, onError: (error) => errors.push(error), onStalled: (stall) => stalls.push(stall) });
    await runner.start();
    try {
      await waitFor(async () => subscriptions >= 6);
      expect(stalls).toEqual([{ position, eventId: newer.eventId, type: 'KeyRequested', schemaVersion: 2, reason: expect.stringMatching(/^cannot decode event KeyRequested v2: written by a newer ztkeys/) }]);
      expect(errors).toEqual([]);
      // Nothing skipped: every model waits before it.
      for (const model of Object.keys(PROJECTIONS) as ReadModelName[]) expect({ model, before: ((await opened.store.checkpoint(model)) ?? -1n) < position }).toEqual({ model, before: true });
    } finally {
      await runner.stop();
    }
  });

  it("holds a failing model at its checkpoint without touching the others' checkpoints, and feeds it again once it works", async () => {
    await appendAll(log.events, syntheticCommands({ orgs: 2, agentsPerOrg: 6, commands: 150, seed: 21 }));
    const events = await readWholeLog(log.events);
    const head = events.at(-1)!.position;
    const failing = failingProjections(events);
    const { throwsAt, refusedAt } = failing;
    const errors: unknown[] = [];
    const runner = new ProjectionRunner(log.events, opened.store, failing.projections, {
      batchSize: 40,
      retry: RETRY,
      onError: (error) => errors.push(error),
    });
    await runner.start();
    try {
      // The runner's own view follows its store's checkpoint once a resubscription has read it again.
      await waitFor(async () => (await opened.store.checkpoint('audit-log')) === head && runner.positionOf('audit-log') === head);
      // The failing models were fed again and again meanwhile, and each time failed at the same event.
      await waitFor(async () => errors.length >= 4);
      expect((await opened.store.checkpoint('org-status')) ?? -1n).toBeLessThan(throwsAt);
      expect((await opened.store.checkpoint('pending-keys')) ?? -1n).toBeLessThan(refusedAt);
      const reference = referenceDump(events);
      expect((await dumpAll(opened.store)).audit_log).toEqual(reference.audit_log);

      failing.mend();
      await waitUntilCaughtUp(log.events, opened.store);
      expect(await dumpAll(opened.store)).toEqual(reference);
    } finally {
      await runner.stop();
    }
    // FerretDB takes a few ms per write: on a loaded machine this takes a minute.
  }, 180_000);

  it('keeps the other models catching up when failing ones are fed again sooner than the log can be read from their checkpoints', async () => {
    // Long enough that reading it again from the failing models' checkpoints takes longer than their
    // 1 ms pause, on a loaded machine too: embedded, 300 commands were too few to fail against a runner
    // that restarts without first feeding the others (500 were enough); FerretDB's slow writes make
    // each restart slower, so a third of the log does there.
    await appendAll(log.events, syntheticCommands({ orgs: 2, agentsPerOrg: 6, commands: kind.name === 'mongodb' ? 500 : 1500, seed: 31 }));
    const events = await readWholeLog(log.events);
    const head = events.at(-1)!.position;
    // Both fail near the start of the log and are fed again after 1 ms: each restart reads the log
    // again from their checkpoints, and the healthy model is far past them.
    const failing = failingProjections(events, { throws: 0.01, refused: 0.02 });
    const errors: unknown[] = [];
    const runner = new ProjectionRunner(log.events, opened.store, failing.projections, {
      batchSize: 40,
      retry: { initialMs: 1, maxMs: 1, jitter: 'none' },
      onError: (error) => errors.push(error),
    });
    await runner.start();
    try {
      await waitFor(async () => (await opened.store.checkpoint('audit-log')) === head, 90_000);
      // They were fed again meanwhile, and are still.
      const failures = errors.length;
      await waitFor(async () => errors.length >= failures + 4);
      expect((await opened.store.checkpoint('org-status')) ?? -1n).toBeLessThan(failing.throwsAt);

      failing.mend();
      await waitUntilCaughtUp(log.events, opened.store);
      expect(await dumpAll(opened.store)).toEqual(referenceDump(events));
    } finally {
      await runner.stop();
    }
  }, 180_000);

  it('feeds failing models again when one fails while a restart stops the subscription and the other fails right after it', async () => {
    await appendAll(log.events, syntheticCommands({ orgs: 2, agentsPerOrg: 6, commands: 150, seed: 21 }));
    const events = await readWholeLog(log.events);
    const failing = failingProjections(events);
    // The first write holding the refused change is slow, as a networked store's can be: the
    // restart org-status's failure scheduled waits for it, and sees pending-keys fail meanwhile.
    let slowed = false;
    const slow: ReadModelStore = Object.create(opened.store, {
      applyBatches: {
        value: async (modelBatches: readonly ModelBatch[]) => {
          const refused = modelBatches.some((batch) => batch.changes.some(({ change }) => change.kind === 'patch' && 'orgId.inside' in change.set));
          if (refused && !slowed) {
            slowed = true;
            await new Promise((resolve) => setTimeout(resolve, 1000));
          }
          return opened.store.applyBatches(modelBatches);
        },
      },
    }) as ReadModelStore;
    const errors: unknown[] = [];
    // One batch holds the whole log; each failure waits 200 ms before the models are fed again.
    const runner = new ProjectionRunner(log.events, slow, failing.projections, { batchSize: 10_000, retry: { initialMs: 200, maxMs: 200, jitter: 'none' }, onError: (error) => errors.push(error) });
    await runner.start();
    try {
      await waitFor(async () => slowed && errors.length >= 4);
      failing.mend();
      await waitUntilCaughtUp(log.events, opened.store, 20_000);
      expect(await dumpAll(opened.store)).toEqual(referenceDump(events));
    } finally {
      await runner.stop();
    }
  }, 120_000);

  it('finishes a batch that a crash left written for some models only, applying nothing twice', async () => {
    await appendAll(log.events, syntheticCommands({ orgs: 2, agentsPerOrg: 6, commands: 150, seed: 21 }));
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

/**
 * Every projection, with org-status's throwing at one event of the log and pending-keys making
 * a change its store refuses at another (a KeyRequested), until `mend` is called. `at` places
 * them, as fractions of the log (each at the first event of its kind from there).
 */
function failingProjections(events: readonly RecordedEvent[], at = { throws: 1 / 3, refused: 1 / 2 }) {
  const orgStatusTakes = (event: RecordedEvent) => PROJECTIONS['org-status'].types?.has(event.type as LogEventType) ?? true;
  const throwsAt = events.find((event, i) => i >= Math.floor(events.length * at.throws) && orgStatusTakes(event))!.position;
  const refusedAt = events.find((event, i) => i > events.length * at.refused && event.type === 'KeyRequested')!.position;
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
  const replaced: Partial<Record<ReadModelName, Projection>> = { 'org-status': orgStatus, 'pending-keys': pendingKeys };
  return {
    throwsAt,
    refusedAt,
    projections: Object.values(PROJECTIONS).map((p) => replaced[p.name] ?? p),
    mend: () => {
      broken = false;
    },
  };
}
