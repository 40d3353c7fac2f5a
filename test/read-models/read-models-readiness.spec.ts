import { PositionNotInLog } from '../../src/event-store/position-not-in-log';
import type { ReadModelStore } from '../../src/read-models/read-model-store.port';
import { ReadModelsReadiness } from '../../src/read-models/read-models-readiness';
import { newEvents, uniqueStream } from '../event-store/event-factory';
import { openEventLog, storeKinds } from './support/read-model-fixture';

/** Moves a read model's checkpoint as a runner's batch would (no documents needed for readiness). */
const checkpointAt = async (store: ReadModelStore, model: 'pending-keys' | 'org-status', position: bigint): Promise<void> =>
  store.apply(model, await store.activeGeneration(model), [], position);

describe.each(storeKinds('read-models readiness'))('read-models readiness on $name', (kind) => {
  it('fails naming each read model behind the log head found at start and how far, passes once all reached it, then stays up while they lag', async () => {
    const log = openEventLog();
    const { store, cleanup } = await kind.open();
    try {
      await store.init();
      const append = async (count: number): Promise<bigint> => (await log.events.append([{ stream: uniqueStream('ready'), expected: 'no_stream', events: newEvents(count) }])).position;
      // An empty log: nothing to catch up with.
      await expect(new ReadModelsReadiness(log.events, store, ['pending-keys', 'org-status']).ping()).resolves.toBe(true);

      const head = await append(5);
      const readiness = new ReadModelsReadiness(log.events, store, ['pending-keys', 'org-status']);
      readiness.start();
      await checkpointAt(store, 'pending-keys', head - 2n);
      await expect(readiness.ping()).rejects.toThrow(`catching up with the log up to position ${head}: pending-keys at ${head - 2n} (2 events behind), org-status at its start (5 events behind)`);

      // Events appended after the start are counted, but the read models need not reach them to be ready.
      const grown = await append(3);
      await checkpointAt(store, 'pending-keys', head);
      await expect(readiness.ping()).rejects.toThrow(`catching up with the log up to position ${head}: org-status at its start (8 events behind)`);
      await checkpointAt(store, 'org-status', head);
      await expect(readiness.ping()).resolves.toBe(true);

      // Caught up once, a lag later is not readiness's (X-Min-Position waits for it).
      await append(4);
      expect(await store.checkpoint('org-status')).toBeLessThan(grown);
      await expect(readiness.ping()).resolves.toBe(true);
      // A process serving no API waits for no read model.
      await expect(new ReadModelsReadiness(log.events, store, []).ping()).resolves.toBe(true);
    } finally {
      await cleanup();
      await log.cleanup();
    }
  });

  it('names a read model at a position the log refuses to read from (a checkpoint of another copy of the log, as KurrentDB refuses one inside a record) without failing to count the others', async () => {
    const log = openEventLog();
    const { store, cleanup } = await kind.open();
    try {
      await store.init();
      const head = (await log.events.append([{ stream: uniqueStream('ready'), expected: 'no_stream', events: newEvents(4) }])).position;
      const refused = head - 1n;
      const refusing = {
        headPosition: () => log.events.headPosition(),
        backlog: (after: bigint | undefined, cap: number) =>
          after === refused ? Promise.reject(new PositionNotInLog(refused, new Error('Trying to read from an invalid position.'))) : log.events.backlog(after, cap),
      };
      await checkpointAt(store, 'pending-keys', refused);
      await expect(new ReadModelsReadiness(refusing, store, ['pending-keys', 'org-status']).ping()).rejects.toThrow(
        `catching up with the log up to position ${head}: pending-keys at ${refused} (no event of the log there), org-status at its start (4 events behind)`,
      );
    } finally {
      await cleanup();
      await log.cleanup();
    }
  });
});
