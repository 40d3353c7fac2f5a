import { growthSlope, theilSen } from '../../bench/support/growth-slope';

const MiB = 1048576;
/** Rounds of readings given in MiB. */
const rounds = (rss: number[], heap: number[]) => rss.map((value, round) => ({ rss: value * MiB, heapUsed: heap[round] * MiB }));

describe("the growth bench's slope after the heap's bound", () => {
  it('is the median of the slopes between every two rounds, so one high reading does not make it', () => {
    // Given RSS readings rising 1 a round but one taken during a self-check
    // When their Theil-Sen slope is taken
    // Then it is the rise of the others
    expect(theilSen([10, 11, 12, 60, 14, 15])).toBe(1);
    expect(theilSen([5, 5, 5])).toBe(0);
  });

  it('leaves out the rounds whose reading is not settled, each other keeping its round', () => {
    // Given RSS readings rising 1 a round, two of them taken with a self-check's thread alive
    expect(theilSen([10, undefined, 12, 13, undefined, 15])).toBe(1);
    const readings = rounds([200, 210, 300, 230, 240], [80, 80, 80, 80, 80]).map((reading, round) => ({ ...reading, unsettled: round === 2 ? ["a self-check's thread alive"] : [] }));
    // When the slope is taken
    // Then it is the rise of the settled ones, and says how many it left out
    expect(growthSlope(readings)).toEqual({ from: 1, to: 5, bounded: true, rss: 10 * MiB, heapUsed: 0, unsettled: 1 });
  });

  it('counts from the first round from which the heap stays at its last reading', () => {
    // Given a heap that grows for three rounds and stays within 1 MiB after, and an RSS rising 2 MiB a round
    const readings = rounds([200, 220, 240, 250, 252, 254, 256], [80, 100, 120, 130, 130.4, 129.8, 130]);
    // When the slope is taken
    const slope = growthSlope(readings);
    // Then it covers rounds 4 to 7 and reads the RSS's 2 MiB a round beside a flat heap
    expect(slope).toEqual({ from: 4, to: 7, bounded: true, rss: 2 * MiB, heapUsed: expect.closeTo(0, -6), unsettled: 0 });
  });

  it('falls back on the last third of the rounds (at least three) while the heap still grows', () => {
    // Given a heap that grows every round
    const readings = rounds([200, 210, 220, 230, 240, 250], [80, 90, 100, 110, 120, 130]);
    // When the slope is taken
    // Then it says the heap was not at its bound and covers the last three rounds
    expect(growthSlope(readings)).toEqual({ from: 4, to: 6, bounded: false, rss: 10 * MiB, heapUsed: 10 * MiB, unsettled: 0 });
  });

  it('has nothing to say under three rounds', () => {
    expect(growthSlope(rounds([200, 210], [80, 90]))).toBeUndefined();
  });
});
