/**
 * Whether the server's memory is flat under sustained load, read from its memory after each round:
 * the RSS's slope over the rounds after the main heap reached its bound (its bounded caches full),
 * beside the heap's own slope over the same rounds. Theil-Sen (the median of the slopes between
 * every two rounds), so that one reading taken before pages were given back does not make the
 * slope; a reading the bench could not take settled (a self-check's thread alive, a young
 * generation still grown) is left out.
 */
export interface RoundMemory {
  rss: number;
  heapUsed: number;
  /** Why the reading is not one of the server at rest; none or absent: it is. */
  unsettled?: readonly string[];
}

export interface GrowthSlope {
  /** Rounds counted from 1, inclusive: from the heap's bound (or the last third, see `bounded`) to the last. */
  from: number;
  to: number;
  /** Whether the heap was at its bound from `from` on; when not, the rounds are the last third. */
  bounded: boolean;
  /** Bytes a round. */
  rss: number;
  heapUsed: number;
  /** Rounds from `from` to `to` left out, their reading not settled. */
  unsettled: number;
}

/** The heap is at its bound once every later reading is within this of the last one (1 MiB, or 1% of a larger heap). */
const atBound = (heapUsed: number, last: number): boolean => Math.abs(heapUsed - last) <= Math.max(1048576, last * 0.01);

/** The median of the slopes between every two of `values` (indexed by round; an undefined one left out). */
export function theilSen(values: readonly (number | undefined)[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < values.length; i++) {
    for (let j = i + 1; j < values.length; j++) {
      const [from, to] = [values[i], values[j]];
      if (from !== undefined && to !== undefined) slopes.push((to - from) / (j - i));
    }
  }
  slopes.sort((a, b) => a - b);
  const middle = slopes.length >> 1;
  return slopes.length % 2 ? slopes[middle] : (slopes[middle - 1] + slopes[middle]) / 2;
}

/** The slopes after the heap's bound, when at least 3 rounds follow it; else over the last third of the rounds (at least 3). Undefined under 3 rounds. */
export function growthSlope(rounds: readonly RoundMemory[]): GrowthSlope | undefined {
  if (rounds.length < 3) return undefined;
  const last = rounds[rounds.length - 1].heapUsed;
  let bound = rounds.length - 1;
  while (bound > 0 && atBound(rounds[bound - 1].heapUsed, last)) bound--;
  const bounded = rounds.length - bound >= 3;
  const from = bounded ? bound : rounds.length - Math.max(3, Math.ceil(rounds.length / 3));
  const after = rounds.slice(from);
  const settled = (value: (round: RoundMemory) => number) => after.map((round) => (round.unsettled?.length ? undefined : value(round)));
  return {
    from: from + 1,
    to: rounds.length,
    bounded,
    rss: theilSen(settled(({ rss }) => rss)),
    heapUsed: theilSen(settled(({ heapUsed }) => heapUsed)),
    unsettled: after.filter((round) => round.unsettled?.length).length,
  };
}
