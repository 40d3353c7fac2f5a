import { parseArgs, type ParseArgsConfig } from 'node:util';
import { givenTwiceMessage, optionGivenTwice } from './option-given-twice';

type Options = NonNullable<ParseArgsConfig['options']>;
/** What parseArgs read of an operator tool's line: the values of its options, its positionals. */
export type ToolLine<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: true; tokens: true }>>;

/** A line that names nothing the tool can run (an unknown option, a missing or wrong argument): said with the usage, nothing read or changed. */
export class ToolUsageError extends Error {}

/** Exit codes of an operator tool's line: its help asked for, a usage error. */
export const TOOL_LINE_EXIT = { help: 0, usage: 2 } as const;

/**
 * An operator tool's arguments, read with node:util parseArgs as `ztkeys` reads a command's:
 * strictly, positionals among the options. `-h` or `--help` anywhere before `--` is 'help', over
 * missing or wrong arguments, not over a line parseArgs cannot read (an unknown option: a
 * ToolUsageError, as `ztkeys keys create --bogus --help`). An option that takes one value given
 * twice is a ToolUsageError too.
 */
export function readToolLine<const T extends Options>(args: readonly string[], options: T): ToolLine<T> | 'help' {
  let line;
  try {
    line = parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true, tokens: true });
  } catch (error) {
    throw new ToolUsageError((error as Error).message.replace(/ To specify a positional.*$/s, ''));
  }
  if ((line.values as { help?: boolean }).help) return 'help';
  const twice = optionGivenTwice(line.tokens, options);
  if (twice) throw new ToolUsageError(givenTwiceMessage(twice));
  return line as ToolLine<T>;
}

/**
 * What an operator tool is to do, read from its arguments (readToolLine) by `command`, before it
 * reads its configuration or touches anything; or the exit code it ends with at once: asked for
 * help, its usage on stdout and 0; its line wrong (a ToolUsageError), why and its usage on
 * stderr, and 2.
 */
export function toolCommand<const T extends Options, C>(
  args: readonly string[],
  usage: string,
  options: T,
  command: (line: ToolLine<T>) => C,
): { command: C } | { exit: number } {
  try {
    const line = readToolLine(args, options);
    if (line !== 'help') return { command: command(line) };
    process.stdout.write(`${usage.trimEnd()}\n`);
    return { exit: TOOL_LINE_EXIT.help };
  } catch (error) {
    if (!(error instanceof ToolUsageError)) throw error;
    process.stderr.write(`${error.message ? `${error.message}\n` : ''}${usage.trimEnd()}\n`);
    return { exit: TOOL_LINE_EXIT.usage };
  }
}
