import { parseArgs } from 'node:util';
import { givenTwiceMessage, optionGivenTwice } from '../shared/option-given-twice';
import { shownTextProblem, type TextLines } from '../shared/shown-text-rule';
import { CliError, usageError } from './cli-error';
import type { GlobalOptions } from './cli-context';
import type { CommandInput, CommandSpec, OptionSpec } from './command-spec';
import { checkProfileName } from './profile-store';
import { secretGiven, secretOptions } from './secret-input';
import { cliVersion } from './cli-version';
import { EXIT_MEANINGS } from './exit-codes';

/** Options every command takes, before or after its words. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  profile: { type: 'string', valueName: 'name', description: 'profile to use (default: $ZTKEYS_PROFILE, else the one "profile use" chose, else "default")' },
  json: { type: 'boolean', description: 'print the result as JSON, for scripts; --json=a,b keeps only fields a and b' },
  ...secretOptions('passphrase', 'key passphrase'),
  'min-position': {
    type: 'string',
    valueName: 'position',
    integer: true,
    description: "reads wait until the server has applied this event position (another machine's write, from its --json output)",
  },
  help: { type: 'boolean', description: 'show help' },
  version: { type: 'boolean', description: 'print the version of ztkeys' },
};

export type ParsedCommandLine =
  | { kind: 'help'; text: string }
  | { kind: 'version'; text: string }
  | { kind: 'run'; command: CommandSpec; input: CommandInput; globals: GlobalOptions };

const FOOTER = `Environment:
  ZTKEYS_HOME            where profiles and keys are kept (default: $XDG_CONFIG_HOME/ztkeys or ~/.config/ztkeys)
  ZTKEYS_PROFILE         profile to use when --profile is not given (else the one "profile use" chose)
  ZTKEYS_PASSPHRASE      key passphrase, for automation (prefer --passphrase-file or -fd: the environment is less private)
  ZTKEYS_TOKEN           agent token for "login" (else --token-file or --token-fd, else asked on the terminal)
  ZTKEYS_BOOTSTRAP_TOKEN operator token for "org create" (else --bootstrap-token-file or -fd, else asked)
  ZTKEYS_TIMEOUT_SECONDS      any other command gives up (exit 4) when an answer is not whole this long after its request (default: 60)
  ZTKEYS_EXPORT_IDLE_SECONDS  "audit export" gives up (exit 4) once the server sent no byte this long (default: 60)

Exit codes:
${Object.entries(EXIT_MEANINGS)
  .map(([code, meaning]) => `  ${code.padEnd(4)}${meaning}`)
  .join('\n')}`;

const optionUsage = (name: string, spec: OptionSpec): string =>
  name === 'help' ? '-h, --help' : spec.type === 'boolean' ? `--${name}` : `--${name} <${spec.valueName ?? 'value'}>`;

const usageLine = (command: CommandSpec): string => {
  const parts = ['ztkeys', ...command.path, ...(command.args ?? []).map((arg) => `<${arg.name}>`)];
  for (const [name, spec] of Object.entries(command.options ?? {}))
    parts.push(spec.required ? optionUsage(name, spec) : `[${optionUsage(name, spec)}]`);
  return parts.join(' ');
};

const optionLines = (options: Readonly<Record<string, OptionSpec>>): string => {
  const entries = Object.entries(options).map(([name, spec]) => {
    const choices = spec.choices ? ` (${spec.choices.join('|')})` : '';
    return [optionUsage(name, spec), `${spec.description}${choices}`] as const;
  });
  const width = Math.max(...entries.map(([flag]) => flag.length));
  return entries.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`).join('\n');
};

export function generalHelp(commands: readonly CommandSpec[]): string {
  const lines = commands.map((command) => [command.path.join(' '), command.summary] as const);
  const width = Math.max(...lines.map(([name]) => name.length));
  return [
    'ztkeys: Ed25519 signature keys for agents, approved by admins (client of API v1).',
    '',
    'Usage: ztkeys <command> [arguments] [options]      ztkeys <command> --help',
    '',
    'Commands:',
    ...lines.map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`),
    '',
    'Global options:',
    optionLines(GLOBAL_OPTIONS),
    '',
    FOOTER,
  ].join('\n');
}

export function commandHelp(command: CommandSpec): string {
  return [
    `Usage: ${usageLine(command)}`,
    '',
    command.summary,
    ...(command.details ? ['', command.details] : []),
    ...(command.options ? ['', 'Options:', optionLines(command.options)] : []),
    '',
    'Global options:',
    optionLines(GLOBAL_OPTIONS),
  ].join('\n');
}

const groupHelp = (group: string, commands: readonly CommandSpec[]): string =>
  [`Usage: ztkeys ${group} <${commands.map((command) => command.path[1]).join('|')}> ...`, '', ...commands.map((command) => `  ${usageLine(command)}\n      ${command.summary}`)].join('\n');

/** Positions of the words (not options, not option values) of a command line. */
function wordPositions(argv: readonly string[], valueOptions: ReadonlySet<string>): number[] {
  const words: number[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') break;
    if (token.startsWith('-') && token !== '-') {
      if (!token.includes('=') && valueOptions.has(token.replace(/^-+/, ''))) i++;
    } else words.push(i);
  }
  return words;
}

/**
 * Finds the command named by the first words of argv (options may come anywhere), then parses
 * the rest strictly with node:util parseArgs. Anything wrong is a usage error (exit 2).
 */
export function parseCommandLine(given: readonly string[], commands: readonly CommandSpec[], env: Record<string, string | undefined>): ParsedCommandLine {
  // --json=a,b selects fields; the rest of the parser sees a plain --json.
  const jsonFields = given.filter((token) => token.startsWith('--json=')).map((token) => token.slice('--json='.length));
  const argv = given.map((token) => (token.startsWith('--json=') ? '--json' : token));
  if (argv.includes('--version') && !argv.includes('--help')) return { kind: 'version', text: `ztkeys ${cliVersion()}` };
  const allOptions = [GLOBAL_OPTIONS, ...commands.map((command) => command.options ?? {})];
  const valueOptions = new Set(allOptions.flatMap((options) => Object.entries(options).filter(([, spec]) => spec.type === 'string').map(([name]) => name)));
  const positions = wordPositions(argv, valueOptions);
  const words = positions.map((i) => argv[i]);
  const wantsHelp = argv.includes('--help') || argv.includes('-h');

  if (words[0] === 'help') return helpFor(words.slice(1), commands);
  const command = commands
    .filter((candidate) => candidate.path.every((word, i) => words[i] === word))
    .sort((a, b) => b.path.length - a.path.length)[0];
  if (!command) {
    if (words.length === 0 && wantsHelp) return { kind: 'help', text: generalHelp(commands) };
    if (words.length === 0) throw usageError(`Missing command.\n\n${generalHelp(commands)}`);
    const group = commands.filter((candidate) => candidate.path.length > 1 && candidate.path[0] === words[0]);
    if (group.length > 0 && wantsHelp && words.length === 1) return { kind: 'help', text: groupHelp(words[0], group) };
    if (group.length > 0)
      throw usageError(`${words[1] ? `Unknown command "${words[0]} ${words[1]}"` : `"${words[0]}" needs a subcommand`}.\n\n${groupHelp(words[0], group)}`);
    throw usageError(`Unknown command "${words[0]}". Run "ztkeys --help" for the list.`);
  }

  const rest = argv.filter((_, i) => !positions.slice(0, command.path.length).includes(i));
  const options = { ...GLOBAL_OPTIONS, ...command.options };
  const parse = () =>
    parseArgs({
      args: [...rest],
      options: Object.fromEntries(
        Object.entries(options).map(([name, spec]) => [name, name === 'help' ? { type: spec.type, short: 'h' } : { type: spec.type, multiple: spec.multiple === true }]),
      ),
      strict: true,
      allowPositionals: true,
      tokens: true,
    });
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    throw usageError(`${(error as Error).message.replace(/ To specify a positional.*$/s, '')}\nUsage: ${usageLine(command)}`);
  }
  if (parsed.values.help) return { kind: 'help', text: commandHelp(command) };

  const fail = (why: string) => usageError(`${why}\nUsage: ${usageLine(command)}`);
  const twice = optionGivenTwice(parsed.tokens, options);
  if (twice) throw fail(givenTwiceMessage(twice));
  const argSpecs = command.args ?? [];
  if (parsed.positionals.length !== argSpecs.length)
    throw fail(
      parsed.positionals.length < argSpecs.length
        ? `Missing <${argSpecs[parsed.positionals.length].name}>.`
        : `Unexpected argument "${parsed.positionals[argSpecs.length]}".`,
    );
  const checkChoice = (label: string, value: string, choices?: readonly string[]): string => {
    if (!choices) return value;
    const upper = value.toUpperCase();
    if (!choices.includes(upper)) throw fail(`${label} must be one of ${choices.join(', ')}, not "${value}".`);
    return upper;
  };
  // Refused here as the server would refuse it, before a passphrase is asked or a statement signed: the server's rule, not a copy.
  const checkShown = (label: string, value: string, lines?: TextLines): string => {
    const problem = lines && shownTextProblem(value, lines);
    if (problem) throw fail(`${label} ${problem}.`);
    return value;
  };
  const input: CommandInput = { args: {}, strings: {}, flags: {} };
  argSpecs.forEach((spec, i) => {
    // A script's variable left empty: an id of nothing would reach the server as the path of the collection.
    if (!spec.shownText && parsed.positionals[i].trim() === '') throw fail(`<${spec.name}> is empty.`);
    input.args[spec.name] = checkShown(`<${spec.name}>`, checkChoice(`<${spec.name}>`, parsed.positionals[i], spec.choices), spec.shownText);
  });
  for (const [name, spec] of Object.entries(options)) {
    const value = parsed.values[name];
    if (spec.type === 'boolean') {
      input.flags[name] = value === true;
      continue;
    }
    if (value === undefined) {
      if (spec.required) throw fail(`Missing --${name} <${spec.valueName ?? 'value'}>.`);
      continue;
    }
    // An option given several times (spec.multiple) reads as its values one a line.
    const values = (Array.isArray(value) ? value : [value]).map(String);
    const text = values.join('\n');
    if (spec.integer && !/^\d+$/.test(text)) throw fail(`--${name} takes a non-negative integer, not "${text}".`);
    if (!spec.integer && values.some((one) => one.trim() === '')) throw fail(`--${name} is empty.`);
    input.strings[name] = checkShown(`--${name}`, checkChoice(`--${name}`, text, spec.choices), spec.shownText);
  }
  const globals: GlobalOptions = {
    profile: input.strings.profile !== undefined ? checkProfileName(input.strings.profile) : profileOfEnvironment(env.ZTKEYS_PROFILE),
    json: input.flags.json,
    jsonFields: jsonFields.length === 0 ? undefined : jsonFieldList(jsonFields.join(','), fail),
    passphrase: secretGiven(input, 'passphrase'),
    minPosition: input.strings['min-position'],
  };
  return { kind: 'run', command, input, globals };
}

/**
 * ZTKEYS_PROFILE: empty or blank counts as unset (a script's `ZTKEYS_PROFILE=$P` with P unset), as
 * an empty ZTKEYS_HOME does; a wrong name is said to come from the variable, as no --profile was given.
 */
function profileOfEnvironment(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  try {
    return checkProfileName(value);
  } catch (error) {
    if (error instanceof CliError) throw usageError(`ZTKEYS_PROFILE: ${error.message}`);
    throw error;
  }
}

/** The fields of --json=a,b: names of the result's top-level members (of each item, for a list). */
function jsonFieldList(text: string, fail: (why: string) => Error): readonly string[] {
  const fields = text.split(',').map((field) => field.trim());
  if (fields.some((field) => !/^[A-Za-z][A-Za-z0-9_]*$/.test(field))) throw fail(`--json=${text}: give field names separated by commas.`);
  return fields;
}

function helpFor(words: readonly string[], commands: readonly CommandSpec[]): ParsedCommandLine {
  if (words.length === 0) return { kind: 'help', text: generalHelp(commands) };
  const command = commands.find((candidate) => candidate.path.join(' ') === words.join(' '));
  if (command) return { kind: 'help', text: commandHelp(command) };
  const group = commands.filter((candidate) => candidate.path.length > 1 && candidate.path[0] === words[0]);
  if (group.length > 0 && words.length === 1) return { kind: 'help', text: groupHelp(words[0], group) };
  throw usageError(`No help for "${words.join(' ')}": no such command. Run "ztkeys --help" for the list.`);
}
