import type { DynamicModule } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { AppConfig } from '../config/app-config';
import type { Secrets } from '../config/secrets';
import type { EventStore } from '../event-store/event-store.port';
import type { TamperedOrgs } from '../application/tampered-orgs';
import type { ReadinessCheck } from '../shared/readiness';
import type { LogKey } from '../transparency/log-key';
import type { RateLimits } from '../rate-limits/rate-limits';
import type { ReadModelStore } from '../read-models/read-model-store.port';
import type { MerkleNodeStore } from '../transparency/node-store/merkle-node-store.port';

/** What the application module is built from: the stores and settings of this process. */
export interface Runtime {
  config: AppConfig;
  secrets: Secrets;
  /** Signs every org's checkpoints (R16). */
  logKey: LogKey;
  eventStore: EventStore;
  readModels: ReadModelStore;
  /** Every org's Merkle tree nodes, which the proofs read (R16). */
  merkleNodes: MerkleNodeStore;
  readinessChecks: ReadinessCheck[];
  /** The orgs whose stored log the server's own check found altered: their writes are refused. */
  tampered: TamperedOrgs;
  registry: Registry;
  /** The rate limits (README, Security), shared through Redis when REDIS_URL is set. */
  rateLimits: RateLimits;
  /** Modules of the read side and notifications, when this process runs them. */
  modules?: DynamicModule[];
}
