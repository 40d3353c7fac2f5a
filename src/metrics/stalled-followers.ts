import { Gauge, type Registry } from 'prom-client';

/**
 * Followers of the log that may skip no event (the projector, the Merkle nodes' follower), each 1 while it waits at an event this release cannot read (a newer release wrote it),
 * else 0: unlike a lag, it does not end by waiting, only by running that release.
 */
export class StalledFollowers {
  private readonly followers = new Map<string, () => boolean>();

  constructor(registry: Registry) {
    const followers = this.followers;
    new Gauge({
      name: 'ztkeys_log_follower_stalled',
      help: 'Whether a follower of the log (projector, merkle-nodes) waits at an event this release cannot read (written by a newer release): 1 until a release that reads it runs',
      labelNames: ['follower'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [follower, stalled] of followers) this.set({ follower }, stalled() ? 1 : 0);
      },
    });
  }

  follow(follower: string, stalled: () => boolean): void {
    this.followers.set(follower, stalled);
  }
}
