import type { Redis } from 'ioredis';
import type { RedisPrefixClaim } from '../deployment/redis-prefix-claim';

/** Required when REDIS_URL is set, not imported: the embedded default starts without Redis's client. */
export const redisClient = () => ({
  Redis: (require('ioredis') as { Redis: typeof Redis }).Redis,
  RedisPrefixClaim: (require('../deployment/redis-prefix-claim') as { RedisPrefixClaim: typeof RedisPrefixClaim }).RedisPrefixClaim,
});
