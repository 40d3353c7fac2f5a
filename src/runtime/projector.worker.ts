/**
 * A projector's worker thread (see projector-thread.ts): runs the projections of its lane on connections of
 * its own to the embedded event log and read-model files, so that reading the log and writing
 * the read models never holds the API's event loop. It reports each model's position after every
 * batch, failures, and rebuilds, and stops (writing what it was delivered) when told.
 */
import { workerData } from 'node:worker_threads';
import { SqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { SqliteReadModelStore } from '../read-models/sqlite/sqlite-read-model-store';
import { LiveProjections } from './live-projections';
import type { ProjectorThreadData, ProjectorThreadMessage } from './projector-thread';
import { serveThread, toThreadError } from './worker-thread';

const data = workerData as ProjectorThreadData;

serveThread<ProjectorThreadMessage>(async (post) => {
  // It reads the log through its subscription, no stream: no stream end to remember (0.8 MiB of heap).
  // The files its process opened at start (existing): a DATA_DIR moved away meanwhile is not made anew.
  const events = new SqliteEventStore({ path: data.eventLogPath, streamEnds: 0, existing: true });
  const readModels = new SqliteReadModelStore({ path: data.readModelsPath, eventLogPath: data.eventLogPath, existing: true });
  const positions = (): void => post({ kind: 'positions', positions: live.models.map((model) => [model, live.positionOf(model)]) });
  const live: LiveProjections = new LiveProjections(events, readModels, {
    onError: (error) => post({ kind: 'error', error: toThreadError(error) }),
    onDiverged: (model, reason) => post({ kind: 'diverged', model, reason }),
    onRebuilt: (model) => post({ kind: 'rebuilt', model }),
    onStalled: (stall) => post({ kind: 'stalled', stall }),
    onProgress: positions,
  }, data.batching, data.models);
  await live.start();
  positions();
  post({ kind: 'started' });
  return async () => {
    try {
      await live.stop();
    } finally {
      positions();
      await readModels.close();
      await events.close();
    }
  };
});
