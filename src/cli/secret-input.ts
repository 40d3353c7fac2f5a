import { readFileSync } from 'node:fs';
import { usageError } from './cli-error';
import type { CliIo } from './cli-io';
import { readHiddenLines } from './terminal';

/** Where a secret may come from, besides a prompt on the terminal. Never from argv: shells keep history. */
export interface SecretSource {
  /** What is asked for, for the prompt and the messages ("passphrase of your signature key"). */
  what: string;
  /** A file descriptor given with `fdOption`, read to its end. */
  fd?: number;
  fdOption: string;
  /** An environment variable, for automation where no fd can be passed. */
  envName: string;
  /** A new secret is typed twice, so that a typo cannot lock the key away for good. */
  confirm?: boolean;
}

/** Reads a secret from the fd, else the environment, else the terminal with echo off. */
export async function readSecret(source: SecretSource, io: CliIo): Promise<string> {
  const secret = await fromFirstSource(source, io);
  if (secret === '') throw usageError(`The ${source.what} is empty.`);
  return secret;
}

async function fromFirstSource(source: SecretSource, io: CliIo): Promise<string> {
  if (source.fd !== undefined) return fromFd(source.fd, source.fdOption);
  const fromEnv = io.env[source.envName];
  if (fromEnv !== undefined) return fromEnv;
  if (!io.stdin.isTTY || !io.stdin.setRawMode)
    throw usageError(`No terminal to ask for the ${source.what} on: give it with ${source.fdOption} N or ${source.envName}.`);
  const prompt = `${capitalize(source.what)}: `;
  const [secret, again] = await readHiddenLines(io.stdin, io.stderr, source.confirm ? [prompt, `${capitalize(source.what)} again: `] : [prompt]);
  if (source.confirm && again !== secret) throw usageError(`The two ${source.what} entries differ; nothing was changed.`);
  return secret;
}

/** Reads the whole fd; one trailing newline is dropped, as `echo` and here-strings add one. */
function fromFd(fd: number, option: string): string {
  try {
    return readFileSync(fd, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw usageError(`${option} ${fd}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
