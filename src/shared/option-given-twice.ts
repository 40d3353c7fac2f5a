import type { parseArgs } from 'node:util';

type Token = NonNullable<ReturnType<typeof parseArgs>['tokens']>[number];

/**
 * The first option that takes one value (a string, not `multiple`) given twice among parseArgs'
 * tokens (parse with `tokens: true`), or undefined. parseArgs keeps the last value silently, so the
 * key, org or limit a command used would not be plain from its line. A flag given twice says the
 * same thing twice; a `multiple` option is meant to be given several times.
 */
export function optionGivenTwice(tokens: readonly Token[], options: Readonly<Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>>): string | undefined {
  const given = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'option' || options[token.name]?.type !== 'string' || options[token.name].multiple) continue;
    if (given.has(token.name)) return token.name;
    given.add(token.name);
  }
  return undefined;
}

/** The usage line of an option given twice. */
export const givenTwiceMessage = (name: string): string => `--${name} is given more than once: it takes one value.`;
