/** The middle of `values` (the upper of the two middles for an even count): a figure of several runs that one outlier does not move. */
export const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** `lowest-highest` of `values`, as a figure's name shows the runs behind its median. */
export const spread = (values: readonly number[]): string => `${Math.min(...values).toLocaleString('en-US')}-${Math.max(...values).toLocaleString('en-US')}`;
