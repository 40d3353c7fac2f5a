/**
 * `npm run witness`: a shared witness (C2SP tlog-witness) that cosigns the checkpoints of the logs
 * of WITNESS_LOG_KEYS only when each extends the one it cosigned before (README, Shared witness).
 * `npm run witness -- key` prints its verifier key and exits; `-- forks` prints the evidence it kept of the checkpoints it refused.
 * Both read what the witness made and create nothing.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { onDataDir, prepareDataDir, witnessEntry } from '../config/data-dir';
import { ConfigError } from '../config/config-error';
import { logLevelOr } from '../config/environment';
import { capConnections } from '../http/connection-cap';
import { pinoOptions } from '../logging/json-logger';
import { refuseNewerDataDir } from '../shared/data-format';
import { listenFault } from '../shared/listen-fault';
import { StartupError } from '../shared/startup-error';
import { toolCommand, ToolUsageError } from '../shared/tool-command-line';
import { STOP_SIGNALS } from '../shared/stop-signals';
import { cosignerKeyText } from '../transparency/cosignature';
import { outcomeLog } from './outcome-log';
import { holdsCosigned, SqliteWitnessStore, WITNESS_DB_FILE } from './sqlite-witness-store';
import { loadWitnessConfig } from './witness-config';
import { existingWitnessKey, loadWitnessKey, WITNESS_KEY_FILE } from './witness-key';
import { WitnessMetrics } from './witness-metrics';
import { createWitnessServer } from './witness-server';

const logger = pino({ ...pinoOptions(logLevelOr('info')), name: 'witness' });

const USAGE = 'usage: npm run witness [-- key | forks]';

/** What it is to do: serve, or print its key or the forks it kept and exit. */
function witnessCommand({ positionals }: { positionals: string[] }): 'serve' | 'key' | 'forks' {
  if (positionals.length === 0) return 'serve';
  if (positionals.length > 1) throw new ToolUsageError(`one command, not ${positionals.length}`);
  if (positionals[0] !== 'key' && positionals[0] !== 'forks') throw new ToolUsageError(`no command ${JSON.stringify(positionals[0])}`);
  return positionals[0];
}

function main(command: 'serve' | 'key' | 'forks'): void {
  const config = loadWitnessConfig();
  if (command === 'forks') {
    // Opening a missing file would create an empty store, and list no fork: a mistyped WITNESS_DATA_DIR.
    if (!existsSync(join(config.key.dataDir, WITNESS_DB_FILE))) {
      throw new ConfigError(`WITNESS_DATA_DIR ${config.key.dataDir} holds no witness store (${WITNESS_DB_FILE}): run it with the witness's WITNESS_DATA_DIR`);
    }
    // One JSON line a refusal kept as evidence (a fork, signed times that go back, a retired key): both notes as the log signed them, for anyone to check with its keys.
    const store = new SqliteWitnessStore(config.key.dataDir);
    for (const evidence of store.evidence()) process.stdout.write(`${JSON.stringify(evidence)}\n`);
    store.close();
    return;
  }
  if (command === 'key') {
    process.stdout.write(`${cosignerKeyText(existingWitnessKey(config.key))}\n`);
    return;
  }
  // A folder it cannot make or write (below a file, under /proc) is said naming the variable, as the server says DATA_DIR's.
  prepareDataDir(config.key.dataDir, witnessEntry, 'WITNESS_DATA_DIR');
  // Before its key is generated: a store a newer release wrote is refused with the folder as found, as the server refuses DATA_DIR's.
  refuseNewerDataDir(config.key.dataDir);
  const storeFile = join(config.key.dataDir, WITNESS_DB_FILE);
  // SQLite opens an empty file as an empty store: a restore that cut it to 0 bytes lost it as well.
  const storeMissing = !existsSync(storeFile) || statSync(storeFile).size === 0;
  const keyFile = join(config.key.dataDir, WITNESS_KEY_FILE);
  // Its store kept, its key file lost: a new key would cosign on, and the logs that trust the old one see its cosignatures missing, with no cause said. Checked before a key is made, so the folder stays as it was.
  if (config.key.signingKey === undefined && !existsSync(keyFile) && holdsCosigned(config.key.dataDir)) {
    throw new ConfigError(
      `${storeFile} holds checkpoints the witness cosigned, but its key (${keyFile}) is missing: with a new key, the logs that trust the old one would lack its cosignatures. Put back the key from a backup; or, to start as a new witness, move the store away too and give the servers and auditors its new verifier key`,
    );
  }
  // A full disk (or an I/O error) is one line naming the folder, as the server says it of DATA_DIR.
  const onDisk = <T>(work: () => T): T => onDataDir(config.key.dataDir, work, 'WITNESS_DATA_DIR');
  const generated: string[] = [];
  const cosigner = onDisk(() => loadWitnessKey(config.key, generated));
  // Its key kept from an earlier start, its store gone (deleted, emptied, left out of a restore): opened anew, it would cosign a fork of what it cosigned. With WITNESS_SIGNING_KEY a first start looks the same, so it is not told.
  if (storeMissing && generated.length === 0 && config.key.signingKey === undefined) {
    throw new ConfigError(
      `${storeFile} is missing or empty beside the witness's key (${keyFile}): without it the witness would forget every checkpoint it cosigned, and cosign a fork of one. Put back the store from a backup; or, to start as a new witness, move the key away too and give the servers and auditors its new verifier key`,
    );
  }
  const vkey = cosignerKeyText(cosigner);
  if (config.logKeys.length === 0) throw new ConfigError('WITNESS_LOG_KEYS names no log: give the verifier key of each log to witness (GET /v1/log-key of a ztkeys server)');
  const { store, previousVkey } = onDisk(() => {
    try {
      const opened = new SqliteWitnessStore(config.key.dataDir);
      // Another key beside its checkpoints (another WITNESS_SIGNING_KEY, a key file replaced) may be a rotation: said below, not refused, as the store's promises hold whatever key signs them.
      return { store: opened, previousVkey: opened.cosignWith(vkey) };
    } catch (error) {
      // A key made by this start, beside a store it could not make, would be taken for a store lost at the next start: neither is kept.
      for (const path of generated) rmSync(path, { force: true });
      throw error;
    }
  });
  for (const path of generated) logger.info(`generated its key in ${path}`);
  if (previousVkey !== undefined) {
    logger.warn(
      { code: 'WITNESS_KEY_CHANGED', previousVkey, vkey },
      `its key is not the one it cosigned its store's checkpoints with (${previousVkey}): it cosigns with ${vkey} now. Give the servers (WITNESSES) and the auditors its new verifier key, or start it with the key it had`,
    );
  }
  const metrics = new WitnessMetrics(store);
  const server = createWitnessServer({
    cosigner,
    logKeys: config.logKeys,
    store,
    metrics,
    metricsToken: config.metricsToken,
    requestTimeoutMs: config.requestTimeoutMs,
    onOutcome: (origin, outcome) => {
      const { level, fields, msg } = outcomeLog(origin, outcome);
      logger[level](fields, msg);
    },
  });
  const stop = (): void => {
    server.close(() => {
      store.close();
      process.exit(0);
    });
  };
  // On the open network: clients that open connections and send nothing would take every file descriptor it may open.
  capConnections(server, config.maxConnections, metrics.registry);
  for (const signal of STOP_SIGNALS) process.once(signal, stop);
  // An address or a port it cannot listen on: one fatal line naming the variable, not an unhandled 'error' event.
  server.once('error', (error) => refused(listenFault(error, config.host, config.port, 'WITNESS_PORT', 'WITNESS_HOST')));
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host}:${port}`;
    const witnessing = config.logKeys.flat().map(({ name }) => `${name}/*`);
    logger.info({ url, vkey, witnessing }, `listening on ${url}, witnessing ${witnessing.join(', ')}, verifier key ${vkey}`);
  });
}

const line = toolCommand(process.argv.slice(2), USAGE, {}, witnessCommand);
const command = 'exit' in line ? process.exit(line.exit) : line.command;

function refused(error: unknown): never {
  // A store it cannot open (a file cut short) is a start that cannot succeed too: the same one line.
  if (!(error instanceof ConfigError || error instanceof StartupError)) throw error;
  // `key` and `forks` print their result on stdout: their refusal is one line on stderr, as npm run emails and backup say theirs.
  if (command !== 'serve') process.stderr.write(`witness ${command} failed: ${error.message}\n`);
  // As the server and the worker say it: one JSON line naming the variable, no stack.
  else logger.fatal(`witness cannot start: ${error.message}`);
  process.exit(1);
}

try {
  main(command);
} catch (error) {
  refused(error);
}
