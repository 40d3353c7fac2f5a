import cluster from 'node:cluster';
import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import type { Runtime } from './runtime';
import type { AppConfig } from '../config/app-config';
import { loadSecrets } from '../config/secrets';
import { serverEntry } from '../config/data-dir';
import { embeddedEventLogPath, openEventStore } from '../event-store/open-event-store';
import { failedAttemptLog, newerReleaseJobLogs, queueGivenUpLog } from '../notifications/email-delivery';
import { EmailNotifications } from '../notifications/email-notifications';
import { notificationsConfig } from '../notifications/notifications.config';
import { NotificationsModule } from '../notifications/notifications.module';
import { parkedEventLog } from '../notifications/notifier';
import { InProcessLease } from '../leases/in-process-lease';
import { RedisLease } from '../leases/redis-lease';
import { redisKeys } from '../config/redis-keys';
import { embeddedReadModelsPath, openReadModelStore } from '../read-models/open-read-model-store';
import type { ReadModelStore } from '../read-models/read-model-store.port';
import { ReadModelsReadiness } from '../read-models/read-models-readiness';
import { throttledWarnings } from '../logging/throttled-warnings';
import { MeasuredEventStore } from '../metrics/measured-event-store';
import { SubscriberLag } from '../metrics/subscriber-lag';
import { startTransparencyInProcess } from '../transparency/log-transparency';
import { embeddedMerkleNodesPath, openMerkleNodeStore } from '../transparency/node-store/open-merkle-node-store';
import { loadLogKey } from '../transparency/log-key';
import { loadWitnesses } from '../transparency/witnesses';
import { describeFault, describeNewerEvents, SelfCheckStatus } from '../transparency/self-check-status';
import { narrowModes } from '../shared/private-files';
import { RateLimits } from '../rate-limits/rate-limits';
import { Projector } from './projector';
import { startInProcess } from './live-projections';
import { projectedModels } from '../read-models/projected-models';
import { refuseNewerProjections } from '../read-models/projection-versions';
import { projectorLanes } from './projector-lanes';
import { startOnThread } from './projector-thread';
import { TransparencyRole } from './transparency-role';
import { startTransparencyOnThread } from './transparency-thread';
import { DeadlineScheduler, type DeadlineEnforcers } from './deadline-scheduler';
import { Directory } from '../application/directory';
import { EventWriter } from '../application/event-writer';
import { TamperedOrgs } from '../application/tampered-orgs';
import { shareTamperedOrgs } from './cluster-tampered-orgs';
import { followTamperedOrgs, publishTamperedOrgs } from './shared-tampered-orgs';
import { tamperedOrgsShare } from './tampered-orgs-share';
import { redisClient } from './redis-client';
import { TAMPERED_ORGS_FILE } from './data-dir-tampered-orgs-share';
import { type StateCacheLimits, StreamStates } from '../application/stream-states';
import { EnforceRecoveries } from '../application/use-cases/enforce-recoveries';
import { EnforceRequestDeadlines } from '../application/use-cases/enforce-request-deadlines';
import { Recoveries } from '../application/recoveries';
import type { EventStore } from '../event-store/event-store.port';
import { describeStall, stallFields } from '../event-store/stalled-at-event';
import { StalledFollowers } from '../metrics/stalled-followers';
import { StartupError } from '../shared/startup-error';
import { deploymentIdentity } from '../deployment/deployment-identity';
import type { ReadinessCheck } from '../shared/readiness';
import { withoutPasswords } from '../shared/without-passwords';

/** Everything a process runs, built from its configuration before Nest starts. */
export interface ProcessRuntime extends Runtime {
  readModels: ReadModelStore;
  /** Starts the background roles (the projector) and notes the log's head the read models must reach; the notifier and worker start with the app. */
  start(): void;
  /**
   * This deployment's claim of REDIS_KEY_PREFIX, kept while the process runs (resolved at once
   * without REDIS_URL). Rejects when another deployment holds the prefix, once Redis answers a
   * start it was away for or at any later check: the process must stop.
   */
  deploymentClaim: Promise<void>;
  /** Stops the background roles, then releases the stores. Call after the app is closed. */
  close(): Promise<void>;
}

/** How long the projector's (and deadline scheduler's) lease lives without renewal: a dead holder is replaced after this. */
const PROJECTOR_LEASE_TTL_MS = 15_000;

/** The read-model store, ready; a MongoDB that cannot be used is a configuration fault naming MONGODB_URL. */
async function openReadModels(config: AppConfig): Promise<ReadModelStore> {
  let store: ReadModelStore | undefined;
  try {
    store = openReadModelStore(config);
    await store.init();
    return store;
  } catch (error) {
    await store?.close().catch(() => undefined);
    if (!config.mongodbUrl) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new StartupError(withoutPasswords(`MONGODB_URL: the MongoDB read-model store cannot be used (${reason})`), { cause: error });
  }
}

/** What the deadline scheduler enforces, over one stream-state cache of its own; nothing for an org of `tampered` (refused as the API's writes are). */
export function deadlineEnforcers(eventStore: EventStore, tampered: TamperedOrgs, limits?: StateCacheLimits): DeadlineEnforcers {
  const states = new StreamStates(eventStore, limits);
  const directory = new Directory(states);
  const writer = new EventWriter(eventStore, states, tampered);
  return { requests: new EnforceRequestDeadlines(directory, writer), recoveries: new EnforceRecoveries(new Recoveries(states), directory, writer) };
}

/**
 * Builds the parts of the roles this process runs (ROLES): one machine runs them all in one
 * process; at scale each container runs one. The app, the tests and the benchmarks all start here.
 */
export async function buildRuntime(config: AppConfig, env: NodeJS.ProcessEnv = process.env): Promise<ProcessRuntime> {
  const logger = new Logger('Runtime');
  // Secrets and embedded stores live in DATA_DIR: whatever an earlier version or a hand left open is narrowed.
  const narrowed = narrowModes(config.dataDir, serverEntry);
  if (narrowed.length > 0) logger.warn(`DATA_DIR was open to other users: narrowed to 0700 (folders) and 0600 (files): ${narrowed.join(', ')}`);
  const secrets = loadSecrets(config);
  const logKey = loadLogKey(config, secrets.generated);
  // A WITNESSES or WITNESS_QUORUM that is wrong stops the start here, not at the first checkpoint served.
  loadWitnesses(config);
  // Before anything is read or written in Redis: a namespace another deployment holds stops the start here.
  const claim = config.redisUrl
    ? new (redisClient().RedisPrefixClaim)(config.redisUrl, config.redisKeyPrefix, deploymentIdentity(logKey), (message) => logger.warn(message))
    : undefined;
  await claim?.answeredAtStart();
  const deploymentClaim = claim?.kept ?? Promise.resolve();
  // Handled by whoever runs the process (serve.ts stops it); a test or benchmark that does not look must not crash on it.
  deploymentClaim.catch(() => undefined);
  const registry = new Registry();
  const eventStore = new MeasuredEventStore(await openEventStore(config), config.eventStoreUrl ? 'kurrentdb' : 'sqlite', registry);
  const lag = new SubscriberLag(registry, eventStore);
  const runs = (role: AppConfig['roles'][number]) => config.roles.includes(role);
  // Networked stores' writes are round trips that hardly hold the event loop: the background roles run in it.
  const networked = Boolean(config.eventStoreUrl || config.mongodbUrl);

  const readModels = await openReadModels(config);
  await refuseNewerProjections(readModels, projectedModels(readModels));
  const merkleNodes = openMerkleNodeStore(config);
  await merkleNodes.init();
  // The reads of the API answer from the read models: not ready before they have caught up with the log as it stood at start.
  const readModelsReadiness = new ReadModelsReadiness(eventStore, readModels, runs('api') ? projectedModels(readModels).map((projection) => projection.name) : []);
  const readinessChecks: ReadinessCheck[] = [{ name: 'eventStore', ping: () => eventStore.ping() }, readModelsReadiness];
  const modules = [];
  if (runs('notifier') || runs('worker')) {
    // A job of a kind this release does not know: one warning per kind in this process, then debug lines.
    const handedBackLog = newerReleaseJobLogs();
    const notifications = new EmailNotifications({
      config: notificationsConfig({ ...env, DATA_DIR: config.dataDir }),
      registry,
      events: runs('notifier') ? eventStore : undefined,
      stateCacheLimits: config.stateCacheLimits,
      worker: runs('worker'),
      onError: throttledWarnings(logger, 'email queue'),
      onAttemptFailed: (failure) => {
        const { level, fields, msg } = failedAttemptLog(failure);
        logger[level]({ msg, ...fields });
      },
      onGivenUp: (job, reason) => {
        const { fields, msg } = queueGivenUpLog(job, reason);
        logger.error({ msg, ...fields });
      },
      onHandedBack: (job, delayMs) => {
        const { level, fields, msg } = handedBackLog(job, delayMs);
        logger[level]({ msg, ...fields });
      },
      onParked: (parked) => {
        const { fields, msg } = parkedEventLog(parked);
        logger.error({ msg, ...fields });
      },
    });
    readinessChecks.push(notifications.readiness);
    if (runs('notifier')) lag.follow('notifier', () => notifications.notifierCheckpoint);
    modules.push(NotificationsModule.register(notifications));
  }

  // One Redis connection for the projector lease and the rate limits (which skip it while it is not ready).
  const redis = (runs('projector') || runs('api')) && config.redisUrl ? new (redisClient().Redis)(config.redisUrl, { maxRetriesPerRequest: null }) : undefined;
  const redisWarning = throttledWarnings(logger, 'Redis (projector lease, rate limits)');
  redis?.on('error', redisWarning);
  // Every key in this deployment's namespace: another deployment on the same Redis takes none of its leases or budgets.
  const keys = redisKeys(config.redisKeyPrefix);
  // One active projector per deployment: a Redis lease at scale, the process itself on one machine.
  const leaseRedis = runs('projector') ? redis : undefined;
  const projected = projectedModels(readModels).map((projection) => projection.name);
  const projector = runs('projector')
    ? new Projector(
        projected,
        // Embedded, on worker threads of their own: a catch-up never holds the API's event loop.
        networked
          ? startInProcess(eventStore, readModels)
          : startOnThread({
              eventLogPath: embeddedEventLogPath(config.dataDir),
              readModelsPath: embeddedReadModelsPath(config.dataDir),
              lanes: projectorLanes(projected, config.projectorThreads),
            }),
        leaseRedis
          ? new RedisLease(leaseRedis, {
              key: keys.projectorLease,
              ttlMs: PROJECTOR_LEASE_TTL_MS,
              onError: redisWarning,
            })
          : new InProcessLease(),
        throttledWarnings(logger, 'projection'),
        lag,
        (stall) => logger.error({ msg: describeStall('projector', stall), ...stallFields(stall) }),
      )
    : undefined;

  // Followers of the log that skip no event, each 1 while it waits at one this release cannot read.
  const stalledFollowers = new StalledFollowers(registry);
  if (projector) {
    readinessChecks.push(projector.readiness);
    stalledFollowers.follow('projector', () => projector.stalled);
  }

  // The orgs whose stored log the self-check found altered: their writes are refused in every process that
  // serves them, each worker of a cluster told by the primary what worker 0's check found, and an API
  // process that runs no check reading what the deployment's last check found: in Redis when there is
  // one, as the leases, else in the DATA_DIR it shares with the process that checks.
  const tampered = new TamperedOrgs();
  if (cluster.isWorker) shareTamperedOrgs(tampered, runs('projector'));
  const share = tamperedOrgsShare(config, redis);
  const shareWarning = redis ? redisWarning : throttledWarnings(logger, `tampered orgs (DATA_DIR/${TAMPERED_ORGS_FILE})`);
  if (runs('projector')) publishTamperedOrgs(tampered, share, shareWarning);
  const stopFollowing = runs('api') && !runs('projector') && !cluster.isWorker ? followTamperedOrgs(tampered, share, shareWarning) : undefined;
  if (runs('projector') || cluster.isWorker || stopFollowing) readinessChecks.push(tampered.readiness);

  // R20: one deadline scheduler at work per deployment, under a lease of its own beside the projector's.
  const deadlines = runs('projector')
    ? new DeadlineScheduler(
        readModels,
        deadlineEnforcers(eventStore, tampered, config.stateCacheLimits),
        leaseRedis ? new RedisLease(leaseRedis, { key: keys.requestDeadlinesLease, ttlMs: PROJECTOR_LEASE_TTL_MS, onError: redisWarning }) : new InProcessLease(),
        { intervalMs: config.requestDeadlinesIntervalMs, onError: throttledWarnings(logger, 'request deadlines') },
      )
    : undefined;

  // The process that signs checkpoints keeps the trees they sign (LOG_CHECKPOINTS=off: another process does both),
  // beside the server's own check of the stored log against its signed checkpoints.
  const transparencySettings = {
    checkpoints: config.checkpoints,
    checkpointDelayMs: config.checkpointDelayMs,
    checkpointIdleMs: config.checkpointIdleMs,
    orgsInMemory: config.orgsInMemory,
    selfCheckIntervalMs: config.selfCheckIntervalMs,
  };
  const transparencyWarnings = {
    merkleNodes: throttledWarnings(logger, 'Merkle nodes'),
    checkpoints: throttledWarnings(logger, 'log checkpoints'),
    selfCheck: (error: unknown) => logger.warn(`audit log self-check: ${String(error)}`),
    thread: throttledWarnings(logger, 'transparency thread'),
  };
  const transparency = runs('projector')
    ? new TransparencyRole(
        // Embedded, on a worker thread of its own, as the projector: reading the whole log never holds the API's event loop.
        networked
          ? startTransparencyInProcess(eventStore, merkleNodes, logKey, transparencySettings)
          : startTransparencyOnThread({ eventLogPath: embeddedEventLogPath(config.dataDir), merkleNodesPath: embeddedMerkleNodesPath(config.dataDir), logKey, settings: transparencySettings }),
        new SelfCheckStatus(registry, tampered, {
          onFault: (fault) => logger.error(`audit log tampered: ${describeFault(fault)}`),
          onNodesDisagree: (disagreements) => logger.error(`Merkle node store disagrees with the log: ${disagreements.join('; ')}; rebuilding it from the log`),
          onNewerEvents: (newer) => logger.warn(describeNewerEvents(newer)),
        }),
        (part, error) => transparencyWarnings[part](error),
        (stall) => logger.error({ msg: describeStall('Merkle nodes follower', stall), ...stallFields(stall) }),
      )
    : undefined;
  if (transparency) readinessChecks.push(...transparency.readiness);
  if (transparency) stalledFollowers.follow('merkle-nodes', () => transparency.stalled);
  if (transparency && config.checkpoints) lag.follow('checkpointer', () => transparency.followed);

  // Rate limits live in Redis when there is one, so every API instance counts against the same budget.
  const rateLimits = new RateLimits(config.rateLimits, registry, keys.rateLimits, runs('api') ? redis : undefined);

  return {
    config,
    secrets,
    logKey,
    eventStore,
    readModels,
    merkleNodes,
    registry,
    rateLimits,
    readinessChecks,
    tampered,
    modules,
    deploymentClaim,
    start: () => {
      readModelsReadiness.start();
      projector?.start();
      deadlines?.start();
      transparency?.start();
    },
    close: async () => {
      claim?.close();
      await transparency?.stop();
      await deadlines?.stop();
      await projector?.stop();
      stopFollowing?.();
      redis?.disconnect();
      await readModels.close();
      await merkleNodes.close();
      await eventStore.close();
    },
  };
}
