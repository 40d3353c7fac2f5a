import { BACKOFF, backoffDelay } from '../../src/shared/backoff';

describe('backoff policy', () => {
  it('doubles the step from the first wait up to the cap, whatever the jitter', () => {
    const policy = { initialMs: 100, maxMs: 1000, jitter: 'none' } as const;
    expect([0, 1, 2, 3, 4, 40].map((attempt) => backoffDelay(attempt, policy))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('jitters fully, or between half and all of the step', () => {
    expect(backoffDelay(2, { initialMs: 10, maxMs: 1000, jitter: 'full' }, () => 0)).toBe(0);
    expect(backoffDelay(2, { initialMs: 10, maxMs: 1000, jitter: 'full' }, () => 0.5)).toBe(20);
    expect(backoffDelay(2, { initialMs: 10, maxMs: 1000 }, () => 0)).toBe(20);
    expect(backoffDelay(2, { initialMs: 10, maxMs: 1000 }, () => 1)).toBe(40);
  });

  it('keeps conflict retries short and projection retries steady', () => {
    expect(backoffDelay(6, BACKOFF.conflict, () => 1)).toBe(128);
    expect([0, 5].map((attempt) => backoffDelay(attempt, BACKOFF.projection))).toEqual([1000, 1000]);
  });
});
