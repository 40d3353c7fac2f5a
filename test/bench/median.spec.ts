import { median, spread } from '../../bench/support/median';

describe("the benches' figure of several runs", () => {
  it('is the middle run whatever the order, the upper of the two middles for an even count', () => {
    expect(median([1_089, 845, 1_017])).toBe(1_017);
    expect(median([4, 1, 3, 2])).toBe(3);
    expect(median([7])).toBe(7);
  });

  it('names the range of the runs behind it, lowest first', () => {
    expect(spread([1_089, 845, 1_017])).toBe('845-1,089');
  });
});
