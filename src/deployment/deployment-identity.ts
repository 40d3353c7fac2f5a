import type { LogKey } from '../transparency/log-key';
import { verifierKeyText } from '../transparency/signed-note';

/**
 * What tells one deployment (one event log) from another: the verifier key of the first key its
 * log ever had, the oldest of the keyring (a rotation keeps it in LOG_PREVIOUS_KEYS). Every process
 * of a deployment, on every machine, holds that keyring, since each checkpoint in the log must open
 * with it; a deployment that did not copy another's key generates its own. Public: GET /v1/log-key
 * serves it until the first rotation. Nothing is written to the log for it.
 */
export const deploymentIdentity = (logKey: LogKey): string => verifierKeyText(logKey.keyring[0]);
