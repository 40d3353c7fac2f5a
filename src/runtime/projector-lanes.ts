import type { ReadModelName } from '../../projections/projection';

/**
 * What each read model's catch-up costs a projector thread, in seconds of its CPU over the
 * 1,000,000 events of `npm run bench -- projection-catch-up` (one thread each, 2026-12-06, other
 * tests running beside: docs/benchmarks-journal.md): only their ratio matters. The audit trail is
 * answered from the log itself where projector threads run (embedded), so it was not measured: a
 * document for every event, it counts as the heaviest.
 */
const CATCH_UP_COST: Record<ReadModelName, number> = { 'audit-log': 10, 'org-status': 8.2, 'as-of': 8.1, 'pending-keys': 4.5, recoveries: 0.7 };

/**
 * The read models each projector thread feeds, for `threads` threads: the heaviest first, each to
 * the thread with the least cost so far (so two threads take as-of and pending-keys, org-status
 * and recoveries: 12.6 and 8.9 of the costs above). Never more threads than models.
 */
export function projectorLanes(models: readonly ReadModelName[], threads: number): ReadModelName[][] {
  const lanes = Array.from({ length: Math.max(1, Math.min(threads, models.length)) }, () => ({ models: [] as ReadModelName[], cost: 0 }));
  for (const model of [...models].sort((a, b) => CATCH_UP_COST[b] - CATCH_UP_COST[a])) {
    const lightest = lanes.reduce((least, lane) => (lane.cost < least.cost ? lane : least));
    lightest.models.push(model);
    lightest.cost += CATCH_UP_COST[model];
  }
  return lanes.map((lane) => lane.models);
}
