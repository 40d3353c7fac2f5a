import { RedisProcess } from '../notifications/support/redis-process';
import { ServerProcess } from './support/server-process';

/**
 * A Redis that refuses the server's login (a wrong or extra password in REDIS_URL) at start: the
 * claim of REDIS_KEY_PREFIX is refused while Nest is still starting, whose buffered lines died
 * with the process: it exited 1 having printed nothing at all.
 */
describe('the built server, its Redis refusing the login', () => {
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await RedisProcess.start();
  });
  afterAll(async () => {
    await redis.destroy();
  });

  it('stops with exit code 1 and one fatal line naming REDIS_URL and the driver\'s reason, never the password', async () => {
    // The Redis has no such user: every login of it is refused (WRONGPASS).
    const server = ServerProcess.spawn({ REDIS_URL: `redis://ztkeys:not-this-password@127.0.0.1:${redis.port}`, REDIS_KEY_PREFIX: 'login-refused' });
    try {
      expect(await server.exitWithin(30_000)).toEqual({ code: 1, signal: null });
      const fatal = server.logLines.filter((line) => line.level >= 50).map((line) => line.msg);
      expect(fatal).toEqual([expect.stringMatching(/^ztkeys stops: REDIS_URL: Redis refused the claim of login-refused:deployment \(WRONGPASS/)]);
      expect(server.stdout + server.stderr).not.toContain('not-this-password');
    } finally {
      server.dispose();
    }
  }, 60_000);
});
