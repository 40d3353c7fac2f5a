/**
 * The projector's worker thread (see projector-thread.ts): runs the projections on connections of
 * its own to the embedded event log and read-model files, so that reading the log and writing
 * the read models never holds the API's event loop. It reports each model's position after every
 * batch, failures, and rebuilds, and stops (writing what it was delivered) when told.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { READ_MODEL_NAMES } from '../../projections/projection';
import { SqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { SqliteReadModelStore } from '../read-models/sqlite/sqlite-read-model-store';
import { LiveProjections } from './live-projections';
import type { ProjectorThreadData, ProjectorThreadMessage } from './projector-thread';

if (!parentPort) throw new Error('projector.worker runs on a worker thread');
const port = parentPort;
/** Nothing else runs on this thread's event loop: batches grow to the runner's limit (5,000 events) rather than stay near 20 ms. */
const THREAD_BATCH_MS = 1000;
const data = workerData as ProjectorThreadData;
const post = (message: ProjectorThreadMessage): void => port.postMessage(message);

async function main(): Promise<void> {
  const events = new SqliteEventStore({ path: data.eventLogPath, pollIntervalMs: data.pollIntervalMs });
  const readModels = new SqliteReadModelStore({ path: data.readModelsPath, eventLogPath: data.eventLogPath });
  const positions = (): void => post({ kind: 'positions', positions: READ_MODEL_NAMES.map((model) => [model, live.positionOf(model)]) });
  const live: LiveProjections = new LiveProjections(events, readModels, {
    onError: (error) => post({ kind: 'error', error: describe(error) }),
    onDiverged: (model, reason) => post({ kind: 'diverged', model, reason }),
    onRebuilt: (model) => post({ kind: 'rebuilt', model }),
    onProgress: positions,
  }, THREAD_BATCH_MS);
  port.once('message', () => {
    void live
      .stop()
      .catch((error: unknown) => post({ kind: 'error', error: describe(error) }))
      .finally(async () => {
        positions();
        await readModels.close();
        await events.close();
        port.close();
      });
  });
  await live.start();
  positions();
  post({ kind: 'started' });
}

/** Errors cross the thread boundary as their message and stack. */
const describe = (error: unknown): { message: string; stack?: string } =>
  error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) };

main().catch((error: unknown) => {
  post({ kind: 'error', error: describe(error) });
  process.exit(1);
});
