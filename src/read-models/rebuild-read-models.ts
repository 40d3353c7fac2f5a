import type { Projection, ReadModelName } from '../../projections/projection';
import type { EventStore } from '../event-store/event-store.port';
import { ProjectionRunner } from './projection-runner';
import type { ReadModelStore } from './read-model-store.port';

export interface RebuildOptions {
  batchSize?: number;
  /** Events in the first batch (ProjectionRunnerOptions.firstBatchSize). */
  firstBatchSize?: number;
  /** How long a store write may hold the event loop (ProjectionRunnerOptions.batchMs): long where nothing else runs on it. */
  batchMs?: number;
  onProgress?: (position: bigint, events: number) => void;
  /** How long the previous generations stay after the switch, for queries and a live runner still on them. */
  graceMs?: number;
  /** The model's new generation is active; the previous one is dropped after graceMs. */
  onSwitched?: (model: ReadModelName, generation: number, previous: number) => void;
  /** How often the catch-up compares its position with the head of the log. */
  pollMs?: number;
}

export interface RebuildResult {
  model: ReadModelName;
  generation: number;
  previous: number;
  /** Last event applied before the switch (undefined for an empty log). */
  position: bigint | undefined;
}

/**
 * Rebuilds read models from the log alone, each into a new generation, with one reader feeding
 * them all, while the active generations keep serving; once caught up with the head of the log
 * the new ones become active (the live runners follow within a second), and the previous ones
 * are dropped after a grace period. One rebuild of a model at a time: generations left by an
 * interrupted one are dropped first.
 */
export async function rebuildReadModels(
  events: EventStore,
  readModels: ReadModelStore,
  projections: readonly Projection[],
  options: RebuildOptions = {},
): Promise<RebuildResult[]> {
  const generations: Partial<Record<ReadModelName, number>> = {};
  const previous: Partial<Record<ReadModelName, number>> = {};
  for (const { name } of projections) {
    for (const stale of await readModels.inactiveGenerations(name)) await readModels.dropGeneration(name, stale);
    previous[name] = await readModels.activeGeneration(name);
    generations[name] = await readModels.createGeneration(name);
  }

  let failure: unknown;
  const runner = new ProjectionRunner(events, readModels, projections, {
    generations,
    batchSize: options.batchSize,
    firstBatchSize: options.firstBatchSize,
    batchMs: options.batchMs,
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
  const results = projections.map(({ name }) => ({
    model: name,
    generation: generations[name] as number,
    previous: previous[name] as number,
    position: runner.positionOf(name),
  }));
  for (const { model, generation, previous: old } of results) {
    await readModels.activate(model, generation);
    options.onSwitched?.(model, generation, old);
  }
  await sleep(options.graceMs ?? 10_000);
  for (const { model, previous: old } of results) await readModels.dropGeneration(model, old);
  return results;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
