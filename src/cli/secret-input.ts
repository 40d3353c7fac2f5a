import { closeSync, fstatSync, openSync } from 'node:fs';
import { isatty } from 'node:tty';
import { CliError, usageError } from './cli-error';
import type { CliIo } from './cli-io';
import type { CommandInput } from './command-spec';
import { readAtMost, sizeShown } from './read-bounded-text';
import { readHiddenLines } from './terminal';

/** Where a secret may come from, besides a prompt on the terminal. Never from argv: shells keep history. */
export interface SecretSource {
  /** What is asked for, for the prompt and the messages ("passphrase of your signature key"). */
  what: string;
  /** Stem of its options: `--<option>-fd N` and `--<option>-file PATH` ("passphrase", "token"). */
  option: string;
  /** A file descriptor given with --<option>-fd, read to its end. */
  fd?: number;
  /** A file given with --<option>-file, read whole (npx and some runners do not pass extra descriptors). */
  file?: string;
  /** An environment variable, for automation where no fd or file can be passed. */
  envName: string;
  /** A new secret is typed twice, so that a typo cannot lock the key away for good. */
  confirm?: boolean;
}

/** The `--<stem>-fd` and `--<stem>-file` options of a secret, for a command's option table. */
export const secretOptions = (stem: string, what: string) =>
  ({
    [`${stem}-fd`]: { type: 'string', valueName: 'n', integer: true, description: `read the ${what} from file descriptor n` },
    [`${stem}-file`]: { type: 'string', valueName: 'path', description: `read the ${what} from a file of yours alone (mode 0600; one others can read is refused)` },
  }) as const;

/** The fd and file a command line gave for a secret's options; both at once is a usage error. */
export function secretGiven(input: CommandInput, stem: string): { fd?: number; file?: string } {
  const fd = input.strings[`${stem}-fd`];
  const file = input.strings[`${stem}-file`];
  if (fd !== undefined && file !== undefined) throw usageError(`Give --${stem}-fd or --${stem}-file, not both.`);
  return { fd: fd === undefined ? undefined : Number(fd), file };
}

/** Reads a secret from the fd or file, else the environment, else the terminal with echo off. */
export async function readSecret(source: SecretSource, io: CliIo): Promise<string> {
  const secret = await fromFirstSource(source, io);
  if (secret === '') throw usageError(`The ${source.what} is empty.`);
  return secret;
}

async function fromFirstSource(source: SecretSource, io: CliIo): Promise<string> {
  if (source.fd !== undefined) return readWhole(source.fd, `--${source.option}-fd ${source.fd}`, source);
  if (source.file !== undefined) return readWhole(source.file, `--${source.option}-file ${source.file}`, source);
  const fromEnv = io.env[source.envName];
  if (fromEnv !== undefined) return fromEnv;
  if (!io.stdin.isTTY || !io.stdin.setRawMode)
    throw usageError(
      `No terminal to ask for the ${source.what} on: give it with --${source.option}-file PATH, --${source.option}-fd N or ${source.envName}.`,
    );
  const prompt = `${capitalize(source.what)}: `;
  const [secret, again] = await readHiddenLines(io.stdin, io.stderr, source.confirm ? [prompt, `${capitalize(source.what)} again: `] : [prompt]);
  if (source.confirm && again !== secret) throw usageError(`The two ${source.what} entries differ; nothing was changed.`);
  return secret;
}

/** Far above any passphrase or token (an OIDC provider's JWT with many claims is a few KiB). */
const MAX_SECRET_BYTES = 64 * 1024;

/** Group and others' permissions: a file holding a secret has none, as ssh wants of a private key and libpq of a .pgpass. */
const SHARED = 0o077;

/**
 * Reads a whole fd or file; one trailing newline is dropped, as `echo` and here-strings add one.
 * A terminal is refused: it would show the secret as it is typed (the prompt turns echo off). So
 * is a regular file others may read or change (a pipe or a terminal has no such mode).
 */
function readWhole(from: number | string, label: string, source: SecretSource): string {
  let text: string;
  try {
    const fd = typeof from === 'number' ? from : openSync(from, 'r');
    try {
      if (isatty(fd))
        throw usageError(`${label} is a terminal, which would show the ${source.what} as you type it: leave out --${source.option}-fd and --${source.option}-file to be asked with echo off.`);
      const stat = fstatSync(fd);
      if (stat.isFile() && (stat.mode & SHARED) !== 0)
        throw usageError(
          `${label}: other users can read or change this file (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}), so the secret in it may have been copied. Make it yours alone (chmod 600) and, if others use this machine, replace the secret.`,
        );
      const read = readAtMost(fd, MAX_SECRET_BYTES);
      // A device or pipe that never ends (/dev/zero, `yes`) was read until memory ran out.
      if (read === undefined) throw usageError(`${label} holds more than ${sizeShown(MAX_SECRET_BYTES)}: no ${source.what} is that long. Is it the right file?`);
      text = read;
    } finally {
      if (typeof from !== 'number') closeSync(fd);
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw usageError(`${label}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
  return text.replace(/\r?\n$/, '');
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
