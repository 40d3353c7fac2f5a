import type { Redis } from 'ioredis';
import type { TamperedOrgsShare } from './tampered-orgs-share.port';

/** The last finding at `key` in the deployment's Redis, beside its leases (a deployment split by roles, at scale). */
export class RedisTamperedOrgsShare implements TamperedOrgsShare {
  constructor(
    private readonly redis: Pick<Redis, 'get' | 'set'>,
    private readonly key: string,
  ) {}

  // One connection sends its commands in order: the last write issued is the one that stands.
  async write(value: string): Promise<void> {
    await this.redis.set(this.key, value);
  }

  async read(): Promise<string | undefined> {
    return (await this.redis.get(this.key)) ?? undefined;
  }
}
