import { READ_MODEL_NAMES } from '../../projections/projection';
import { projectorLanes } from '../../src/runtime/projector-lanes';

describe('projector lanes: the read models each projector thread feeds', () => {
  const embedded = ['pending-keys', 'org-status', 'as-of', 'recoveries'] as const;

  it('gives one thread every model', () => {
    expect(projectorLanes(embedded, 1)).toEqual([['org-status', 'as-of', 'pending-keys', 'recoveries']]);
  });

  it('splits them over two threads by what their catch-up costs: the two heaviest apart', () => {
    expect(projectorLanes(embedded, 2)).toEqual([
      ['org-status', 'recoveries'],
      ['as-of', 'pending-keys'],
    ]);
  });

  it('starts no more threads than models, and gives each model to exactly one thread', () => {
    for (const models of [embedded, READ_MODEL_NAMES, ['org-status'] as const]) {
      for (const threads of [1, 2, 3, 4, 8]) {
        const lanes = projectorLanes(models, threads);
        expect(lanes).toHaveLength(Math.min(threads, models.length));
        expect(lanes.every((lane) => lane.length > 0)).toBe(true);
        expect(lanes.flat().sort()).toEqual([...models].sort());
      }
    }
  });
});
