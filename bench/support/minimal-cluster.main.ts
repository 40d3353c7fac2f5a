import cluster from 'node:cluster';
import { openMinimalLog, startMinimalServer } from './minimal-server';

/**
 * The minimal handler (./minimal-server.ts) served by WORKERS processes of a Node cluster sharing
 * PORT and one SQLite file in DATA_DIR, as the app's cluster does (src/runtime/cluster.ts): the
 * ceiling of what two processes on this machine can serve. Each worker prints "is listening on".
 * Env: WORKERS, PORT, DATA_DIR, JWT_SECRET, CHALLENGE_SECRET, REGISTERED_KEYS (JSON [caller, key] pairs).
 */
async function main(): Promise<void> {
  const env = process.env as Record<string, string>;
  if (cluster.isPrimary) {
    openMinimalLog(env.DATA_DIR).close();
    for (let i = 0; i < Number(env.WORKERS); i++) cluster.fork();
    let stopping = false;
    const stop = () => {
      stopping = true;
      Object.values(cluster.workers ?? {}).forEach((worker) => worker?.process.kill('SIGTERM'));
    };
    process.once('SIGTERM', stop);
    // A worker gone before the stop (it failed to start) ends the cluster: the bench fails at once rather than wait for its line.
    cluster.once('exit', (_worker, code) => {
      if (stopping) return;
      stop();
      process.exitCode = code || 1;
    });
    return;
  }
  const server = await startMinimalServer(
    { jwtSecret: env.JWT_SECRET, challengeSecret: env.CHALLENGE_SECRET },
    new Map(JSON.parse(env.REGISTERED_KEYS) as Array<[string, string]>),
    { dataDir: env.DATA_DIR, port: Number(env.PORT) },
  );
  process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
  console.log(`minimal server is listening on ${server.url}`);
}

void main();
