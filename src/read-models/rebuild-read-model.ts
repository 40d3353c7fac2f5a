import type { Projection } from '../../projections/projection';
import type { EventStore } from '../event-store/event-store.port';
import { ProjectionRunner } from './projection-runner';
import type { ReadModelStore } from './read-model-store.port';

export interface RebuildOptions {
  batchSize?: number;
  onProgress?: (position: bigint, events: number) => void;
  /** How long the previous generation stays after the switch, for queries and a live runner still on it. */
  graceMs?: number;
  /** The new generation is active; the previous one is dropped after graceMs. */
  onSwitched?: (generation: number, previous: number) => void;
  /** How often the catch-up compares its position with the head of the log. */
  pollMs?: number;
}

export interface RebuildResult {
  generation: number;
  previous: number;
  /** Last event applied before the switch (undefined for an empty log). */
  position: bigint | undefined;
}

/**
 * Rebuilds a read model from the log alone into a new generation while the active one keeps
 * serving; once it has caught up with the head of the log it becomes the active one (the live
 * runners follow within a second), and the previous one is dropped after a grace period.
 * One rebuild of a model at a time: generations left by an interrupted one are dropped first.
 */
export async function rebuildReadModel(
  events: EventStore,
  readModels: ReadModelStore,
  projection: Projection,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const model = projection.name;
  for (const stale of await readModels.inactiveGenerations(model)) await readModels.dropGeneration(model, stale);
  const previous = await readModels.activeGeneration(model);
  const generation = await readModels.createGeneration(model);

  let failure: unknown;
  const runner = new ProjectionRunner(events, readModels, projection, {
    generation,
    batchSize: options.batchSize,
    onProgress: options.onProgress,
    onError: (error) => (failure ??= error),
  });
  await runner.start();
  try {
    // The head moves while commands come in: catch up with it as it is when reached.
    for (;;) {
      if (failure !== undefined) throw failure;
      const head = await events.headPosition();
      if (head === undefined || (runner.position !== undefined && runner.position >= head)) break;
      await sleep(options.pollMs ?? 50);
    }
  } finally {
    await runner.stop();
  }
  await readModels.activate(model, generation);
  options.onSwitched?.(generation, previous);
  await sleep(options.graceMs ?? 10_000);
  await readModels.dropGeneration(model, previous);
  return { generation, previous, position: runner.position };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
