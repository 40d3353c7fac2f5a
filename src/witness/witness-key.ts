import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ConfigError } from '../config/environment';
import { secret } from '../config/secrets';
import { cosignerFromSeed, cosignerSignerKeyText, parseCosignerSignerKey, type Cosigner } from '../transparency/cosignature';
import { InvalidNote } from '../transparency/signed-note';

/** File of the generated witness key in WITNESS_DATA_DIR (mode 0600). */
export const WITNESS_KEY_FILE = 'witness-signing-key';
export const DEFAULT_WITNESS_KEY_NAME = 'ztkeys.local/witness';

export interface WitnessKeySettings {
  dataDir: string;
  signingKey?: string;
  keyName?: string;
}

/** The witness's key: WITNESS_SIGNING_KEY, else WITNESS_DATA_DIR/witness-signing-key, else generated there on first start. */
export function loadWitnessKey({ dataDir, signingKey, keyName }: WitnessKeySettings, generated: string[] = []): Cosigner {
  const name = keyName ?? DEFAULT_WITNESS_KEY_NAME;
  const source = signingKey ? 'WITNESS_SIGNING_KEY' : join(dataDir, WITNESS_KEY_FILE);
  let cosigner: Cosigner;
  try {
    cosigner = parseCosignerSignerKey(secret(dataDir, WITNESS_KEY_FILE, signingKey, generated, () => cosignerSignerKeyText(cosignerFromSeed(name, randomBytes(32)))));
  } catch (error) {
    if (error instanceof InvalidNote) throw new ConfigError(`${source} is not a witness signer key (or WITNESS_KEY_NAME is no key name): ${error.message}`);
    throw error;
  }
  if (keyName !== undefined && cosigner.name !== keyName) throw new ConfigError(`the witness key is named "${cosigner.name}", not WITNESS_KEY_NAME "${keyName}"`);
  return cosigner;
}
