import { ConfigError } from '../config/config-error';
import { readEnvironment } from '../config/environment';
import type { LogKeyring } from '../transparency/log-keyring';
import { InvalidNote, hex8, parseVerifierKey, type NoteVerifier } from '../transparency/signed-note';
import type { WitnessKeySettings } from './witness-key';

export interface WitnessConfig {
  port: number;
  host: string;
  key: WitnessKeySettings;
  /**
   * The deployments witnessed, each its keys across its rotations (oldest first): every origin
   * `{key name}/{orgId}` signed by one of them, one log per org of a deployment whatever key name signs it.
   */
  logKeys: LogKeyring[];
  /** METRICS_TOKEN: /metrics answers only `Bearer <it>` when set. */
  metricsToken?: string;
  /** Most connections open at once (WITNESS_MAX_CONNECTIONS), as the server's MAX_CONNECTIONS. */
  maxConnections: number;
  /** Longest a request may take to arrive (WITNESS_REQUEST_TIMEOUT_MS), as the server's REQUEST_TIMEOUT_MS. */
  requestTimeoutMs: number;
}

/** Whether a checkpoint of one key's log could be of the other's: origins `{name}/{orgId}` of one name, or of a name that begins the other's. */
const overlapping = (a: string, b: string): boolean => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);

const keyLabel = ({ name, keyId }: NoteVerifier): string => `${name}+${hex8(keyId)}`;

/**
 * WITNESS_LOG_KEYS: the deployments witnessed, separated by commas or white space, the keys of one
 * deployment across its rotations joined by '>' (oldest first). The witness knows a log by its
 * origin alone: two deployments whose key names overlap would each sign checkpoints of the other's
 * orgs, and it would cosign them (take over a log it witnesses, or make one look forked).
 */
function witnessedLogs(text: string): NoteVerifier[][] {
  let deployments: NoteVerifier[][];
  try {
    deployments = text
      .split(/[\s,]+/)
      .filter((entry) => entry !== '')
      .map((entry) => entry.split('>').map((key) => parseVerifierKey(key)));
  } catch (error) {
    if (error instanceof InvalidNote) throw new ConfigError(`WITNESS_LOG_KEYS holds a key that is not a log verifier key: ${error.message}`);
    throw error;
  }
  deployments.forEach((keys, i) =>
    deployments.slice(i + 1).forEach((others) => {
      for (const key of keys) {
        const other = others.find(({ name }) => overlapping(key.name, name));
        if (other === undefined) continue;
        const name = key.name.length >= other.name.length ? key.name : other.name;
        throw new ConfigError(
          `WITNESS_LOG_KEYS names ${keyLabel(key)} and ${keyLabel(other)} as two logs, but ${name}/{orgId} would be a log of either: each could sign, and take over, the other's orgs. Keys of one deployment (a rotation) are joined oldest first by '>'; two deployments need key names apart (LOG_KEY_NAME)`,
        );
      }
    }),
  );
  return deployments;
}

/** The configuration of `npm run witness`, from its WITNESS_* variables. */
export function loadWitnessConfig(env: NodeJS.ProcessEnv = process.env): WitnessConfig {
  const environment = readEnvironment(env);
  const logKeys = witnessedLogs(environment.WITNESS_LOG_KEYS ?? '');
  return {
    port: environment.WITNESS_PORT,
    host: environment.WITNESS_HOST,
    key: { dataDir: environment.WITNESS_DATA_DIR, signingKey: environment.WITNESS_SIGNING_KEY, keyName: environment.WITNESS_KEY_NAME },
    logKeys,
    metricsToken: environment.METRICS_TOKEN,
    maxConnections: environment.WITNESS_MAX_CONNECTIONS,
    requestTimeoutMs: environment.WITNESS_REQUEST_TIMEOUT_MS,
  };
}
