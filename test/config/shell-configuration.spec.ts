import { dropShellConfiguration } from '../support/shell-configuration';

/**
 * `npm test` in a shell that exports an operator's settings: servers and tools the tests start in
 * processes of their own inherit the tests' environment (with LOG_LEVEL=warn, 20 tests waited in
 * vain for an info line). The global setup leaves those settings out.
 */
describe("the tests' environment", () => {
  it("leaves out ztkeys' own settings from the shell, keeping the suite's choice of servers and everything else", () => {
    const env: NodeJS.ProcessEnv = {
      PATH: '/usr/bin',
      HOME: '/root',
      TMPDIR: '/dev/shm',
      LOG_LEVEL: 'warn',
      WORKERS: '2',
      PORT: '3000',
      DATA_DIR: '/srv/ztkeys',
      SMTP_URL: 'smtp://mail.example.com',
      REDIS_URL: 'redis://cache:6379',
      RATE_LIMIT_API_PER_ADDRESS: '10/60',
      RATE_LIMIT_MISSPELT: '1/1',
      ZTKEYS_TOKEN: 'a-token',
      ZTKEYS_PROFILE: 'prod',
      MONGODB_URL: 'mongodb://127.0.0.1:27017/',
      EVENTSTORE_URL: 'kurrentdb://127.0.0.1:2113?tls=false',
    };
    expect(dropShellConfiguration(env)).toEqual(['DATA_DIR', 'LOG_LEVEL', 'PORT', 'RATE_LIMIT_API_PER_ADDRESS', 'RATE_LIMIT_MISSPELT', 'REDIS_URL', 'SMTP_URL', 'WORKERS', 'ZTKEYS_PROFILE', 'ZTKEYS_TOKEN']);
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/root', TMPDIR: '/dev/shm', MONGODB_URL: 'mongodb://127.0.0.1:27017/', EVENTSTORE_URL: 'kurrentdb://127.0.0.1:2113?tls=false' });
  });
});
