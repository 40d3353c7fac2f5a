import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { redisKeys } from '../config/redis-keys';
import { DataDirTamperedOrgsShare } from './data-dir-tampered-orgs-share';
import { RedisTamperedOrgsShare } from './redis-tampered-orgs-share';
import type { TamperedOrgsShare } from './tampered-orgs-share.port';

/**
 * Where this deployment's processes share the check's findings, picked as the leases are: in its
 * Redis (`redis`, a connection to REDIS_URL) when it has one, else in the DATA_DIR they share.
 */
export function tamperedOrgsShare(config: Pick<AppConfig, 'dataDir' | 'redisKeyPrefix'>, redis: Pick<Redis, 'get' | 'set'> | undefined): TamperedOrgsShare {
  return redis ? new RedisTamperedOrgsShare(redis, redisKeys(config.redisKeyPrefix).tamperedOrgs) : new DataDirTamperedOrgsShare(config.dataDir);
}
