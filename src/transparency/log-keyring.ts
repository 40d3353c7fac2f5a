import { checkpointOrigin, openCheckpoint, type Checkpoint } from './checkpoint';
import { hex8, InvalidNote, openNote, parseVerifierKey, type NoteVerifier } from './signed-note';

/**
 * The verifier keys of the log over time, oldest first, the current one last. A rotation adds a
 * key and keeps the earlier ones (README: rotating the log key): the checkpoints they signed stay
 * in the log and must still verify.
 */
export type LogKeyring = readonly NoteVerifier[];

/** Verifier keys separated by commas or white space (a verifier key holds neither). */
export function parseVerifierKeys(text: string): NoteVerifier[] {
  return text
    .split(/[\s,]+/)
    .filter((key) => key !== '')
    .map((key) => parseVerifierKey(key));
}

/** An org's checkpoint signed by one of the keys (`signedBy`, the newest that signed it), with the origin of that key: `{key name}/{orgId}`; `verified`, the note as openNote checked it. */
export function openOrgCheckpoint(note: string, keys: LogKeyring, orgId: string): Checkpoint & { signedBy: NoteVerifier; verified: string } {
  const { signedBy, verified } = openSignedNote(note, keys);
  return { ...openCheckpoint(note, signedBy, checkpointOrigin(signedBy.name, orgId)), signedBy, verified };
}

/** A note's text and the newest of the keys that signed it (a note signed across a rotation by both is the newer key's). */
export function openSignedNote(note: string, keys: LogKeyring): { text: string; signedBy: NoteVerifier; verified: string } {
  const { text, verifiedBy, verified } = openNote(note, [...keys]);
  return { text, signedBy: keys.filter((known) => verifiedBy.includes(known)).at(-1)!, verified };
}

const keyName = (key: NoteVerifier): string => `${key.name}+${hex8(key.keyId)}`;

/**
 * Why a checkpoint signed by `key` may not come after one signed by `earlier` (undefined when it
 * may): a key retired by a rotation signs nothing after its successor did. It is listed only so
 * that the checkpoints it signed before still verify; whoever still holds it (a rotation is often
 * made because it leaked) could otherwise sign an extension of the log past every checkpoint of
 * the new key. Keys are ordered as the keyring lists them, oldest first.
 */
export function retiredKeyFault(keys: LogKeyring, earlier: NoteVerifier, key: NoteVerifier, what = 'an earlier checkpoint'): string | undefined {
  if (keys.indexOf(key) >= keys.indexOf(earlier)) return undefined;
  return `it is signed by the retired log key ${keyName(key)} after its successor ${keyName(earlier)} signed ${what}: a retired key signs nothing after a rotation`;
}

/** A checkpoint of any org of the log: its origin names the key and the org. */
export function openLogCheckpoint(note: string, keys: LogKeyring): { orgId: string; checkpoint: Checkpoint & { signedBy: NoteVerifier } } {
  const origin = note.split('\n', 1)[0];
  const key = [...keys].reverse().find(({ name }) => origin.startsWith(`${name}/`));
  if (!key) throw new InvalidNote(`the checkpoint is of "${origin}", not a log of ${[...new Set(keys.map(({ name }) => name))].join(', ')}`);
  const orgId = origin.slice(key.name.length + 1);
  return { orgId, checkpoint: openOrgCheckpoint(note, keys, orgId) };
}
