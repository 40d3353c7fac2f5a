import cluster, { type Worker } from 'node:cluster';
import { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { ConfigError } from '../config/config-error';
import { type ProcessRole } from '../config/environment';
import { bootstrapTokenShown, loadSecrets } from '../config/secrets';
import { countExportPlacesForWorkers } from '../rate-limits/cluster-export-places';
import { countRateLimitsForWorkers } from '../rate-limits/cluster-rate-limits';
import { loadLogKey } from '../transparency/log-key';
import { gatherForWorkers } from './cluster-gather';
import { relayTamperedOrgsToWorkers } from './cluster-tampered-orgs';
import { workerIndexEnv } from './cluster-worker-index';
import { TamperedOrgs } from '../application/tampered-orgs';
import { throttledWarnings } from '../logging/throttled-warnings';
import { followTamperedOrgs } from './shared-tampered-orgs';
import { redisClient } from './redis-client';
import { tamperedOrgsShare } from './tampered-orgs-share';
import { SHUTDOWN_GRACE_MS, shutDownOnSignals } from './shutdown';

/**
 * Roles that follow the log and keep checkpoints: one process of the machine runs them. The API
 * serves from every process: the embedded stores are SQLite files in WAL mode with a busy
 * timeout and IMMEDIATE write transactions, shared safely by processes.
 */
const FIRST_WORKER_ONLY: readonly ProcessRole[] = ['projector', 'notifier', 'worker'];

/** The roles of worker `index` (0-based) of a cluster whose processes together run `roles`. */
export const rolesOfWorker = (roles: readonly ProcessRole[], index: number): ProcessRole[] =>
  index === 0 ? [...roles] : roles.filter((role) => !FIRST_WORKER_ONLY.includes(role));

/**
 * Relays the self-check's findings to the workers: worker 0's when it runs the check, else (ROLES=api
 * beside the process that checks) the deployment's, read where that process leaves them. Returns the stop.
 */
function relayTamperedOrgs(config: AppConfig, logger: Logger): () => void {
  if (config.roles.includes('projector')) {
    relayTamperedOrgsToWorkers();
    return () => undefined;
  }
  const followed = new TamperedOrgs();
  relayTamperedOrgsToWorkers(followed);
  const redis = config.redisUrl ? new (redisClient().Redis)(config.redisUrl, { maxRetriesPerRequest: null }) : undefined;
  const warning = throttledWarnings(logger, 'tampered orgs, read for the workers');
  redis?.on('error', warning);
  const stopFollowing = followTamperedOrgs(followed, tamperedOrgsShare(config, redis), warning);
  return () => {
    stopFollowing();
    redis?.disconnect();
  };
}

/**
 * WORKERS > 1: this process becomes the cluster's primary. It creates DATA_DIR's secrets and log
 * key once (so the workers do not race to generate them), then forks WORKERS processes of
 * main.js that share the listening port (Node's cluster hands connections out in turn). Worker 0
 * runs every role of ROLES, the others only the API. The primary counts the export places for every
 * worker, and the rate limits without Redis or while it does not answer (one budget for the server,
 * whichever worker a connection reaches). A worker that dies stops the others and the primary exits non-zero: its supervisor
 * restarts the whole, as it would restart one process. What worker 0's check of the log finds (with
 * ROLES=api, what the deployment's check left), every worker learns through the primary: each
 * refuses the writes of an org found tampered. Whichever worker takes /metrics or /health/ready
 * answers for the cluster: it asks the primary, which gathers every worker's answer.
 */
export function runClusterPrimary(config: AppConfig): void {
  const logger = new Logger('Cluster');
  if (!config.roles.includes('api')) throw new ConfigError(`WORKERS=${config.workers} serves the API from several processes: ROLES must hold api`);
  const secrets = loadSecrets(config);
  loadLogKey(config, secrets.generated);
  // Listening before the first fork: a worker's limiters ask for their counters as it starts.
  countRateLimitsForWorkers(config.rateLimits);
  countExportPlacesForWorkers(config.concurrentExports);
  const stopFollowing = relayTamperedOrgs(config, logger);
  const workers = new Map<Worker, number>();
  gatherForWorkers((worker) => workers.get(worker)!);
  let stopping = false;
  const stop = async (): Promise<void> => {
    stopping = true;
    const exits = [...workers.keys()].map((worker) => new Promise((resolve) => (worker.isDead() ? resolve(undefined) : worker.once('exit', resolve))));
    for (const worker of workers.keys()) worker.process.kill('SIGTERM');
    await Promise.all(exits);
    stopFollowing();
  };
  // The workers have their own grace period; the primary waits a little longer for them.
  shutDownOnSignals(stop, SHUTDOWN_GRACE_MS + 1000);
  for (let index = 0; index < config.workers; index++) {
    const worker = cluster.fork({ ROLES: rolesOfWorker(config.roles, index).join(','), ...workerIndexEnv(index) });
    workers.set(worker, index);
    worker.once('exit', (code, signal) => {
      if (stopping) return;
      logger.error(`worker ${index} exited (${signal ?? code}): stopping the others`);
      void stop().then(() => process.exit(1));
    });
  }
  // The workers find the secrets made here: this line is the one that can print a generated token.
  logger.log({ msg: `${config.workers} workers serve ${config.roles.join(', ')} on one DATA_DIR (${config.dataDir})`, bootstrapToken: bootstrapTokenShown(config, secrets) });
}
