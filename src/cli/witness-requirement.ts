import { parseCosignerKey, verifyCosignatures, type CosignerVerifier } from '../transparency/cosignature';
import { InvalidNote } from '../transparency/signed-note';
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

export interface WitnessRequirement {
  witnesses: CosignerVerifier[];
  quorum: number;
}

const parseCosignerKeys = (text: string): CosignerVerifier[] =>
  text
    .split(/[\s,]+/)
    .filter((key) => key !== '')
    .map((key) => parseCosignerKey(key));

/** The witnesses required by --witness-key and --witness-quorum; undefined without --witness-key. */
export function witnessRequirement(input: Pick<CommandInput, 'strings'>): WitnessRequirement | undefined {
  const keys = input.strings['witness-key'];
  const quorum = input.strings['witness-quorum'];
  if (keys === undefined) {
    if (quorum !== undefined) throw usageError('--witness-quorum needs --witness-key: the witnesses whose cosignatures count.');
    return undefined;
  }
  const witnesses = keys.split('\n').flatMap((value) => verifierKeysOption('witness-key', value, parseCosignerKeys, WITNESS_KEY_FORM));
  const twice = witnesses.find((key, i) => witnesses.findIndex((other) => other.name === key.name && other.keyId === key.keyId) !== i);
  if (twice) throw usageError(`--witness-key names ${twice.name} twice: a quorum counts each witness once.`);
  const needed = quorum === undefined ? witnesses.length : Number(quorum);
  if (needed < 1 || needed > witnesses.length) throw usageError(`--witness-quorum ${quorum} must be from 1 to the ${witnesses.length} witness key(s) given.`);
  return { witnesses, quorum: needed };
}

/** Why `note` does not carry the cosignatures required, undefined when it does. */
export function cosignatureShortfall(note: string, { witnesses, quorum }: WitnessRequirement): string | undefined {
  let cosigned: number;
  try {
    cosigned = verifyCosignatures(note, witnesses).length;
  } catch (error) {
    if (error instanceof InvalidNote) return `the checkpoint carries a cosignature that does not verify: ${error.message}`;
    throw error;
  }
  if (cosigned >= quorum) return undefined;
  return `the checkpoint is cosigned by ${cosigned} of the ${witnesses.length} required witness(es), fewer than the quorum of ${quorum}: a witness refused it (it saw another history of this log: a fork) or was not asked or did not answer`;
}
