import { ConfigError, readEnvironment } from '../config/environment';
import { parseVerifierKeys } from '../transparency/log-keyring';
import { InvalidNote, type NoteVerifier } from '../transparency/signed-note';
import type { WitnessKeySettings } from './witness-key';

export interface WitnessConfig {
  port: number;
  host: string;
  key: WitnessKeySettings;
  /** The logs witnessed: every origin `{key name}/...` signed by one of these keys (one log per org of a ztkeys deployment). */
  logKeys: NoteVerifier[];
  /** METRICS_TOKEN: /metrics answers only `Bearer <it>` when set. */
  metricsToken?: string;
}

/** The configuration of `npm run witness`, from its WITNESS_* variables. */
export function loadWitnessConfig(env: NodeJS.ProcessEnv = process.env): WitnessConfig {
  const environment = readEnvironment(env);
  let logKeys: NoteVerifier[];
  try {
    logKeys = parseVerifierKeys(environment.WITNESS_LOG_KEYS ?? '');
  } catch (error) {
    if (error instanceof InvalidNote) throw new ConfigError(`WITNESS_LOG_KEYS holds a key that is not a log verifier key: ${error.message}`);
    throw error;
  }
  return {
    port: environment.WITNESS_PORT,
    host: environment.WITNESS_HOST,
    key: { dataDir: environment.WITNESS_DATA_DIR, signingKey: environment.WITNESS_SIGNING_KEY, keyName: environment.WITNESS_KEY_NAME },
    logKeys,
    metricsToken: environment.METRICS_TOKEN,
  };
}
