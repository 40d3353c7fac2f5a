import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { ConfigError } from '../config/config-error';
import { existingSecret, secret } from '../config/secrets';
import { parseVerifierKeys, type LogKeyring } from './log-keyring';
import { InvalidNote, parseSignerKey, signerFromSeed, signerKeyText, verifierKeyText, type NoteSigner, type NoteVerifier } from './signed-note';

/** File of the generated log key in DATA_DIR (mode 0600), in the signer key text form of Go's note package. */
export const LOG_KEY_FILE = 'log-signing-key';

/** Name of a generated key when LOG_KEY_NAME is not set; operators name theirs after their host. */
export const DEFAULT_LOG_KEY_NAME = 'ztkeys.local/audit-log';

export interface LogKey {
  signer: NoteSigner;
  /** The verifier key text: name+key id+base64(0x01 || public key), public. */
  vkey: string;
  /** The keys checkpoints may be signed by: the earlier ones (LOG_PREVIOUS_KEYS), oldest first, then this one. */
  keyring: LogKeyring;
}


type LogKeySettings = Pick<AppConfig, 'dataDir' | 'logSigningKey' | 'logKeyName' | 'logPreviousKeys'>;

/** The deployment's log key: LOG_SIGNING_KEY, else DATA_DIR/log-signing-key, else generated there on first start. */
export function loadLogKey(config: LogKeySettings, generated: string[] = []): LogKey {
  const name = config.logKeyName ?? DEFAULT_LOG_KEY_NAME;
  const generate = (): string => {
    try {
      return signerKeyText(signerFromSeed(name, randomBytes(32)));
    } catch (error) {
      if (error instanceof InvalidNote) throw new ConfigError(`LOG_KEY_NAME ${error.message}`);
      throw error;
    }
  };
  return logKeyFromText(secret(config.dataDir, LOG_KEY_FILE, config.logSigningKey, generated, generate), config);
}

/** The log key where the deployment keeps it (LOG_SIGNING_KEY, else DATA_DIR/log-signing-key), never generated: undefined when there is none. */
export function existingLogKey(config: LogKeySettings): LogKey | undefined {
  const text = existingSecret(config.dataDir, LOG_KEY_FILE, config.logSigningKey);
  return text === undefined ? undefined : logKeyFromText(text, config);
}

/** The log key of a signer key text, checked against LOG_KEY_NAME, after the keys of LOG_PREVIOUS_KEYS. */
function logKeyFromText(text: string, config: LogKeySettings): LogKey {
  let signer: NoteSigner;
  try {
    signer = parseSignerKey(text);
  } catch (error) {
    // Named by where it came from, so the line says what to fix (a verifier key pasted in is the usual slip).
    const source = config.logSigningKey ? 'LOG_SIGNING_KEY' : join(config.dataDir, LOG_KEY_FILE);
    if (error instanceof InvalidNote) throw new ConfigError(`${source} is not a signer key: ${error.message}`);
    throw error;
  }
  if (config.logKeyName !== undefined && signer.name !== config.logKeyName) {
    throw new ConfigError(`the log signing key is named "${signer.name}", not LOG_KEY_NAME "${config.logKeyName}"; renaming a key makes another key (see README, rotating the log key)`);
  }
  let previous: NoteVerifier[];
  try {
    previous = parseVerifierKeys(config.logPreviousKeys ?? '');
  } catch (error) {
    if (error instanceof InvalidNote) throw new ConfigError(`LOG_PREVIOUS_KEYS holds a key that is not a verifier key: ${error.message}`);
    throw error;
  }
  return logKeyOf(signer, previous);
}

/** The log key of a signer, after earlier keys (oldest first; the signer's own is dropped from them). */
export function logKeyOf(signer: NoteSigner, previous: readonly NoteVerifier[] = []): LogKey {
  const vkey = verifierKeyText(signer);
  return { signer, vkey, keyring: [...previous.filter((key) => verifierKeyText(key) !== vkey), signer] };
}

/** Nest injection token of the LogKey. */
export const LOG_KEY = Symbol('LOG_KEY');
