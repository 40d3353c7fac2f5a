import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ConfigError } from '../config/config-error';
import { existingSecret, secret } from '../config/secrets';
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

/** The key `read` gives (generating it names it WITNESS_KEY_NAME) as a cosigner, bearing WITNESS_KEY_NAME when that is set. */
function cosignerOf(read: () => string, { dataDir, signingKey, keyName }: WitnessKeySettings): Cosigner {
  let cosigner: Cosigner;
  try {
    cosigner = parseCosignerSignerKey(read());
  } catch (error) {
    const source = signingKey ? 'WITNESS_SIGNING_KEY' : join(dataDir, WITNESS_KEY_FILE);
    if (error instanceof InvalidNote) throw new ConfigError(`${source} is not a witness signer key (or WITNESS_KEY_NAME is no key name): ${error.message}`);
    throw error;
  }
  if (keyName !== undefined && cosigner.name !== keyName) throw new ConfigError(`the witness key is named "${cosigner.name}", not WITNESS_KEY_NAME "${keyName}"`);
  return cosigner;
}

/** The witness's key: WITNESS_SIGNING_KEY, else WITNESS_DATA_DIR/witness-signing-key, else generated there on first start. */
export function loadWitnessKey(settings: WitnessKeySettings, generated: string[] = []): Cosigner {
  const name = settings.keyName ?? DEFAULT_WITNESS_KEY_NAME;
  return cosignerOf(() => secret(settings.dataDir, WITNESS_KEY_FILE, settings.signingKey, generated, () => cosignerSignerKeyText(cosignerFromSeed(name, randomBytes(32)))), settings);
}

/**
 * The key of a witness that has started (`npm run witness -- key`), never generated: a key made
 * up in a mistyped folder would be given to the servers, and no cosignature of the witness's
 * would verify with it.
 */
export function existingWitnessKey(settings: WitnessKeySettings): Cosigner {
  return cosignerOf(() => {
    const text = existingSecret(settings.dataDir, WITNESS_KEY_FILE, settings.signingKey);
    if (text !== undefined) return text;
    throw new ConfigError(
      `WITNESS_DATA_DIR ${settings.dataDir} holds no witness key (${WITNESS_KEY_FILE}): run it with the witness's WITNESS_DATA_DIR (or WITNESS_SIGNING_KEY), once the witness has started`,
    );
  }, settings);
}
