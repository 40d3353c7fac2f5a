/**
 * The org totals of the zero-trust status: counts per key status that the read-model stores keep
 * as the org-status projection's changes are applied. Run on the real stores (embedded SQLite;
 * MongoDB when MONGODB_URL is set): applied twice, replayed from any checkpoint with any batch
 * boundaries, or rebuilt into a new generation, they stay the counts of the documents there are.
 */
import fc from 'fast-check';
import { versionChanges, type VersionedChange } from '../../projections/document-change';
import { KEY_STATUSES, orgStatusProjection } from '../../projections/org-status.projection';
import { decode } from '../../src/domain/events/decode';
import type { RecordedEvent } from '../../src/event-store/event-store.port';
import type { ReadModelStore } from '../../src/read-models/read-model-store.port';
import { syntheticCommands } from '../read-models/fixtures/synthetic-log';
import { countedByKeyStatus } from '../read-models/support/counted-documents';
import { storeKinds } from '../read-models/support/read-model-fixture';
import { orgWithMembers } from './support/org-with-members';
import { RecordingLog } from './support/recording-log';

const ORG = 'org-1';

const changesOf = (events: readonly RecordedEvent[]): VersionedChange[] =>
  events.flatMap((event) => versionChanges(event.position, orgStatusProjection.project(decode(event))));

/** Applies the events as the runner does, `batchSize` events a batch, each batch with its checkpoint. */
async function applyEvents(store: ReadModelStore, generation: number, events: readonly RecordedEvent[], batchSize = events.length): Promise<void> {
  for (let i = 0; i < events.length; i += batchSize) {
    const batch = events.slice(i, i + batchSize);
    await store.apply('org-status', generation, changesOf(batch), batch[batch.length - 1].position);
  }
}

const totals = async (store: ReadModelStore, generation: number, orgId = ORG) =>
  Object.fromEntries(await store.counts({ collection: 'agent_status', generation, group: orgId }));

describe.each(storeKinds('org totals'))('org totals on $name', (kind) => {
  let store: ReadModelStore;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await kind.open());
    await store.init();
  });
  afterAll(async () => cleanup?.());

  it('move with a key from PENDING to ACTIVE to REVOKED, and forget a removed agent', async () => {
    const generation = await store.createGeneration('org-status');
    const { org, log } = orgWithMembers(ORG);
    let applied = 0;
    /** Applies what was recorded since the last step, as one batch. */
    const step = async () => {
      await applyEvents(store, generation, log.events.slice(applied));
      applied = log.events.length;
      return totals(store, generation);
    };
    expect(await step()).toEqual({ ACTIVE: 1 });
    log.record(org.addAgent('root', 'alice', 'MEMBER'));
    expect(await step()).toEqual({ ACTIVE: 1, NONE: 1 });
    log.record(org.requestKey('alice', 'r-1'));
    expect(await step()).toEqual({ ACTIVE: 1, PENDING: 1 });
    log.record(org.approve('root', 'alice'));
    expect(await step()).toEqual({ ACTIVE: 2 });
    log.record(org.revoke('root', 'alice'));
    expect(await step()).toEqual({ ACTIVE: 1, REVOKED: 1 });
    // A replacement waiting when the key is revoked: PENDING, not REVOKED (R8).
    log.record(org.requestKey('alice', 'r-2'));
    log.record(org.approve('root', 'alice'));
    log.record(org.requestKey('alice', 'r-3'));
    log.record(org.revoke('root', 'alice'));
    expect(await step()).toEqual({ ACTIVE: 1, PENDING: 1 });
    log.record(org.removeAgent('root', 'alice', 'MEMBER'));
    expect(await step()).toEqual({ ACTIVE: 1 });
    await store.dropGeneration('org-status', generation);
  });

  describe('over a plausible log of two orgs', () => {
    const log = new RecordingLog();
    for (const command of syntheticCommands({ orgs: 2, agentsPerOrg: 12, commands: 300, seed: 5 })) log.record(command);
    const events = log.events;
    const orgs = [...new Set(events.map((event) => event.metadata.orgId))];
    let clean: number;
    beforeAll(async () => {
      clean = await store.createGeneration('org-status');
      await applyEvents(store, clean, events, 50);
    });
    afterAll(async () => store.dropGeneration('org-status', clean));

    it('are the counts of the agents there are, over every key status', async () => {
      for (const orgId of orgs) {
        const expected = countedByKeyStatus(await store.dump('agent_status', clean), orgId);
        expect(await totals(store, clean, orgId)).toEqual(expected);
        expect(Object.keys(expected).every((status) => (KEY_STATUSES as readonly string[]).includes(status))).toBe(true);
      }
      expect(Object.keys(await totals(store, clean, orgs[0])).length).toBeGreaterThan(2);
    });

    it('stay the same when the same batch is applied twice', async () => {
      const before = await Promise.all(orgs.map((orgId) => totals(store, clean, orgId)));
      await applyEvents(store, clean, events.slice(100, 200));
      await applyEvents(store, clean, events.slice(100, 200));
      expect(await Promise.all(orgs.map((orgId) => totals(store, clean, orgId)))).toEqual(before);
    });

    it('are the same in a rebuild, whatever its batches, and after a crash replayed from any checkpoint', async () => {
      const expected = await Promise.all(orgs.map((orgId) => totals(store, clean, orgId)));
      await fc.assert(
        fc.asyncProperty(fc.nat(events.length), fc.nat(events.length), fc.integer({ min: 1, max: 400 }), async (a, b, batchSize) => {
          const [checkpoint, crashedAt] = [Math.min(a, b), Math.max(a, b)];
          const rebuilt = await store.createGeneration('org-status');
          await applyEvents(store, rebuilt, events.slice(0, crashedAt), batchSize);
          await applyEvents(store, rebuilt, events.slice(checkpoint), batchSize);
          expect(await Promise.all(orgs.map((orgId) => totals(store, rebuilt, orgId)))).toEqual(expected);
          await store.dropGeneration('org-status', rebuilt);
        }),
        { numRuns: kind.name === 'mongodb' ? 4 : 25 },
      );
    });
  });
});
