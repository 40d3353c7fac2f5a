/**
 * `npm run witness`: a shared witness (C2SP tlog-witness) that cosigns the checkpoints of the logs
 * of WITNESS_LOG_KEYS only when each extends the one it cosigned before (README, Shared witness).
 * `npm run witness -- key` prints its verifier key and exits.
 */
import { loadWitnessConfig } from './witness-config';
import { loadWitnessKey } from './witness-key';
import { cosignerKeyText } from '../transparency/cosignature';
import { SqliteWitnessStore } from './sqlite-witness-store';
import { createWitnessServer } from './witness-server';

function main(args: string[]): void {
  if (args.length > 1 || (args.length === 1 && args[0] !== 'key')) {
    process.stderr.write('usage: npm run witness [-- key]\n');
    process.exit(2);
  }
  const config = loadWitnessConfig();
  const generated: string[] = [];
  const cosigner = loadWitnessKey(config.key, generated);
  const vkey = cosignerKeyText(cosigner);
  if (args[0] === 'key') {
    process.stdout.write(`${vkey}\n`);
    return;
  }
  if (config.logKeys.length === 0) {
    process.stderr.write('witness: WITNESS_LOG_KEYS names no log: give the verifier key of each log to witness (GET /v1/log-key of a ztkeys server)\n');
    process.exit(1);
  }
  for (const path of generated) process.stdout.write(`witness: generated its key in ${path}\n`);
  const store = new SqliteWitnessStore(config.key.dataDir);
  const server = createWitnessServer({
    cosigner,
    logKeys: config.logKeys,
    store,
    onOutcome: (origin, outcome) => {
      const said = outcome.status === 200 ? `cosigned size ${outcome.store.size}` : 'latestSize' in outcome ? `409, holds size ${outcome.latestSize}` : `${outcome.status} ${outcome.code}: ${outcome.detail}`;
      process.stdout.write(`witness: ${origin}: ${said}\n`);
    },
  });
  const stop = (): void => {
    server.close(() => {
      store.close();
      process.exit(0);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    process.stdout.write(`witness: verifier key ${vkey}\nwitness: listening on http://${config.host}:${port}, witnessing ${config.logKeys.map(({ name }) => `${name}/*`).join(', ')}\n`);
  });
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`witness failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
