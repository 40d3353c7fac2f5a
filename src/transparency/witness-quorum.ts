import { parseCosignerKey, verifyCosignatures, type CosignerVerifier } from './cosignature';
import { InvalidNote } from './signed-note';

/**
 * The shared witnesses an auditor requires (README, Shared witness): the CLI's --witness-key and
 * --witness-quorum, the console's witness setting. Their keys come from the auditor, never from
 * the server whose log they check.
 */
export interface WitnessRequirement {
  witnesses: CosignerVerifier[];
  /** How many of them must have cosigned. */
  quorum: number;
}

/** Witness verifier keys separated by white space or commas (a key holds neither). */
export const parseCosignerKeys = (text: string): CosignerVerifier[] =>
  text
    .split(/[\s,]+/)
    .filter((key) => key !== '')
    .map((key) => parseCosignerKey(key));

/** A witness given twice, if any: a quorum counts each witness once. */
export const witnessGivenTwice = (witnesses: readonly CosignerVerifier[]): CosignerVerifier | undefined =>
  witnesses.find((key, i) => witnesses.findIndex((other) => other.name === key.name && other.keyId === key.keyId) !== i);

/** How many of the required witnesses cosigned `note`, and why that is not enough (`shortfall`), if it is not. */
export function witnessedBy(note: string, { witnesses, quorum }: WitnessRequirement): { cosigned: number; shortfall?: string } {
  let cosigned: number;
  try {
    cosigned = verifyCosignatures(note, witnesses).length;
  } catch (error) {
    if (error instanceof InvalidNote) return { cosigned: 0, shortfall: `the checkpoint carries a cosignature that does not verify: ${error.message}` };
    throw error;
  }
  if (cosigned >= quorum) return { cosigned };
  return {
    cosigned,
    shortfall: `the checkpoint is cosigned by ${cosigned} of the ${witnesses.length} required witness(es), fewer than the quorum of ${quorum}: a witness refused it (it saw another history of this log: a fork) or was not asked or did not answer`,
  };
}
