import { usageError } from './cli-error';

/** A value the command line checked against its choices, typed as one of them. */
export function choice<T extends string>(choices: readonly T[], value: string): T {
  const found = choices.find((candidate) => candidate === value);
  if (found === undefined) throw usageError(`"${value}" is not one of ${choices.join(', ')}.`);
  return found;
}
