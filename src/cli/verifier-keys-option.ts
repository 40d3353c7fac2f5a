import { existsSync } from 'node:fs';
import { InvalidNote, MAX_NOTE_LENGTH, type NoteVerifier } from '../transparency/signed-note';
import { usageError } from './cli-error';
import { readBoundedText } from './read-bounded-text';

/** Verifier keys and a checkpoint note are a few KiB at most (a note carries at most 100 signatures): reading stops past the longest note read, so a device or a huge file costs nothing. */
const MAX_KEY_OR_NOTE_BYTES = MAX_NOTE_LENGTH;

/** A key or checkpoint file: a device such as /dev/zero never ends, and none is that long. */
export const readKeyOrNote = (what: string, path: string): string => readBoundedText(what, path, MAX_KEY_OR_NOTE_BYTES, 'no log key or checkpoint is that long');

/**
 * The verifier keys of option `--name`: `value` is a file holding them or the keys themselves
 * (separated by white space or commas); a value with no "+" can be no key, so it was meant as a
 * file: a mistyped path is said to be missing, not a malformed key. `form` says what a key looks like.
 */
export function verifierKeysOption(name: string, value: string, parse: (text: string) => NoteVerifier[], form: string): NoteVerifier[] {
  const file = existsSync(value);
  if (!file && !value.includes('+')) throw usageError(`--${name} ${value}: no such file (and no verifier key: that is ${form}).`);
  let keys: NoteVerifier[];
  try {
    keys = parse(file ? readKeyOrNote(`the ${name.replace('-', ' ')} file`, value) : value);
  } catch (error) {
    if (error instanceof InvalidNote) {
      throw usageError(file ? `--${name} ${value} holds no verifier key (${form}): ${error.message}` : `--${name} is neither a verifier key (${form}) nor a file: ${error.message}`);
    }
    throw error;
  }
  if (keys.length === 0) throw usageError(`--${name} holds no verifier key (${form}).`);
  return keys;
}
