import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { embeddedEventLogPath, PUT_BACK_THE_LOG } from '../event-store/open-event-store';
import { embeddedEmailQueuePath } from '../notifications/email-backend';
import { embeddedReadModelsPath } from '../read-models/open-read-model-store';
import type { AppConfig } from '../config/app-config';
import { readSqliteAsFound } from '../shared/sqlite-read-as-found';
import { StartupError } from '../shared/startup-error';
import { CHECKPOINT_SIGNED } from '../transparency/log-checkpointer';
import { LOG_KEY_FILE } from '../transparency/log-key';
import { embeddedMerkleNodesPath } from '../transparency/node-store/open-merkle-node-store';

/** The embedded stores derived from the log, each with a query that finds a row only once the log held events. */
const DERIVED = [
  { path: embeddedReadModelsPath, heldEvents: "SELECT 1 FROM read_model_checkpoints WHERE CAST(position AS INTEGER) > 0 LIMIT 1" },
  { path: embeddedMerkleNodesPath, heldEvents: 'SELECT 1 FROM merkle_orgs LIMIT 1' },
  { path: embeddedEmailQueuePath, heldEvents: "SELECT 1 FROM notifier_checkpoints WHERE CAST(position AS INTEGER) > 0 LIMIT 1" },
];

/**
 * Whether the store at `path` holds a row `query` finds; a store missing, unreadable, or of no
 * such table shows nothing. Read as found: these checks refuse a start that must leave DATA_DIR so.
 */
function shows(path: string, query: string): boolean {
  if (!statSync(path, { throwIfNoEntry: false })?.size) return false;
  return readSqliteAsFound(path, (db) => db.prepare(query).get() !== undefined) ?? false;
}

/**
 * Refuses to start on an embedded log that is missing or empty (0 bytes: SQLite would take it for
 * a new database) while the stores derived from it in DATA_DIR show it held events: a restore that
 * left the log out or cut it to nothing. Started, the server would be a new deployment over the
 * old one's read models, Merkle nodes and notifier checkpoint, its bootstrap token making orgs
 * anew, and the loss would read as a few warnings. A first start (nothing derived yet) and an
 * operator's deliberate new deployment (the derived stores moved away) start as before; an older
 * log, not an empty one, is what the consumers rebuild from (README: What the operator can rely on).
 */
export function refuseLostEventLog(dataDir: string): void {
  const log = embeddedEventLogPath(dataDir);
  const size = statSync(log, { throwIfNoEntry: false })?.size;
  if (size !== undefined && size > 0) return;
  const witnesses = DERIVED.map(({ path }) => path(dataDir)).filter((path, i) => shows(path, DERIVED[i].heldEvents));
  if (witnesses.length === 0) return;
  const derived = DERIVED.map(({ path }) => basename(path(dataDir)));
  throw new StartupError(
    `${log} ${size === undefined ? 'is missing' : 'is empty (0 bytes)'}, but the stores derived from it in DATA_DIR (${witnesses.map((path) => basename(path)).join(', ')}) show it held events: ${PUT_BACK_THE_LOG}; to start a new deployment here instead, move ${derived.slice(0, -1).join(', ')} and ${derived.at(-1)} out of DATA_DIR first`,
  );
}

/**
 * Refuses to start on an embedded log that holds signed checkpoints when the log key is nowhere
 * (no LOG_SIGNING_KEY, no DATA_DIR/log-signing-key): a restore that left the key out. Started, the
 * server would generate a new key, and its check would find every org's log "tampered" and refuse
 * its writes. A rotation (README) deletes the key on purpose, with the old one in LOG_PREVIOUS_KEYS.
 */
export function refuseLostLogKey(config: Pick<AppConfig, 'dataDir' | 'logSigningKey' | 'logPreviousKeys'>): void {
  const key = join(config.dataDir, LOG_KEY_FILE);
  if (config.logSigningKey || config.logPreviousKeys || statSync(key, { throwIfNoEntry: false })) return;
  const log = embeddedEventLogPath(config.dataDir);
  if (!shows(log, `SELECT 1 FROM events WHERE type = '${CHECKPOINT_SIGNED}' LIMIT 1`)) return;
  throw new StartupError(
    `${key} is missing, but ${log} holds checkpoints signed by the log key: put back the log key of this deployment (log-signing-key of its backup) or set LOG_SIGNING_KEY to it; to rotate the key instead, list the old one in LOG_PREVIOUS_KEYS (README: Rotating the log key)`,
  );
}
