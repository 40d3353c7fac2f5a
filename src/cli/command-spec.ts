import type { TextLines } from '../shared/shown-text-rule';
import type { CliContext } from './cli-context';

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  /** Shown in help as --name <valueName>. */
  valueName?: string;
  required?: boolean;
  /** Allowed values (compared in upper case, as roles and frequencies are written). */
  choices?: readonly string[];
  /** A non-negative integer, such as a file descriptor. */
  integer?: boolean;
  /** May be given several times: its values, one a line, make its string (else giving it twice is a usage error). */
  multiple?: boolean;
  /** Text a person reads (a name, a reason), checked by the server's own rule (shown-text-rule.ts) before anything is sent. */
  shownText?: TextLines;
}

export interface ArgumentSpec {
  name: string;
  choices?: readonly string[];
  /** As OptionSpec's. */
  shownText?: TextLines;
}

/** Parsed, checked input of one command. */
export interface CommandInput {
  args: Record<string, string>;
  strings: Record<string, string | undefined>;
  flags: Record<string, boolean>;
}

/** One command of ztkeys: its words (["keys", "approve"]), arguments, options and what it does. */
export interface CommandSpec {
  path: readonly string[];
  summary: string;
  /** More help text, shown by `ztkeys <command> --help`. */
  details?: string;
  args?: readonly ArgumentSpec[];
  options?: Readonly<Record<string, OptionSpec>>;
  run(input: CommandInput, ctx: CliContext): Promise<void>;
}
