import { parseCosignerKeys, witnessedBy, witnessGivenTwice, type WitnessRequirement } from '../transparency/witness-quorum';
import { usageError } from './cli-error';
import type { CommandInput, OptionSpec } from './command-spec';
import { verifierKeysOption } from './verifier-keys-option';

const WITNESS_KEY_FORM = 'name+keyid+base64 of type 0x04, as `npm run witness -- key` prints it';

/** The options of the commands that can require the cosignatures of shared witnesses (README, Shared witness). */
export const WITNESS_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  'witness-key': {
    type: 'string',
    valueName: 'vkey',
    multiple: true,
    description: "a verifier key of a shared witness to require, as `npm run witness -- key` prints it (or a file of such keys, separated by white space or commas); give it once per witness: the checkpoint must carry their cosignatures (C2SP tlog-cosignature), else exit 7",
  },
  'witness-quorum': { type: 'string', integer: true, valueName: 'n', description: 'how many of the --witness-key witnesses must have cosigned the checkpoint (default: every one)' },
};

export type { WitnessRequirement } from '../transparency/witness-quorum';

/** The witnesses required by --witness-key and --witness-quorum; undefined without --witness-key. */
export function witnessRequirement(input: Pick<CommandInput, 'strings'>): WitnessRequirement | undefined {
  const keys = input.strings['witness-key'];
  const quorum = input.strings['witness-quorum'];
  if (keys === undefined) {
    if (quorum !== undefined) throw usageError('--witness-quorum needs --witness-key: the witnesses whose cosignatures count.');
    return undefined;
  }
  const witnesses = keys.split('\n').flatMap((value) => verifierKeysOption('witness-key', value, parseCosignerKeys, WITNESS_KEY_FORM));
  const twice = witnessGivenTwice(witnesses);
  if (twice) throw usageError(`--witness-key names ${twice.name} twice: a quorum counts each witness once.`);
  const needed = quorum === undefined ? witnesses.length : Number(quorum);
  if (needed < 1 || needed > witnesses.length) throw usageError(`--witness-quorum ${quorum} must be from 1 to the ${witnesses.length} witness key(s) given.`);
  return { witnesses, quorum: needed };
}

/** Why `note` does not carry the cosignatures required, undefined when it does. */
export const cosignatureShortfall = (note: string, requirement: WitnessRequirement): string | undefined => witnessedBy(note, requirement).shortfall;
