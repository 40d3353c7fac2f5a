import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { ProfileStore } from '../../src/cli/profile-store';
import { CLI_FROM_SOURCE, runProcess } from './support/cli-process';

/**
 * A server address that accepts each connection and closes it at once, before a byte of the
 * request: a proxy with no backend, or a port published before its server listens (docker-proxy).
 * Node 20's fetch then waits for ever holding no handle, and the process would end with the
 * command unfinished, exit 0 and nothing printed. The CLI runs as its own process, as users run it:
 * a test runner's event loop would hide that end.
 */
describe('a server address that hangs up on every connection', () => {
  let home: string;
  let server: Server;
  let connections = 0;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'ztkeys-hang-up-'));
    server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    new ProfileStore(home).save('default', { apiUrl: url, token: 'token-1', orgId: 'org-1', agentId: 'alice' });
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(home, { recursive: true, force: true });
  });

  const run = (args: string[]) => runProcess(CLI_FROM_SOURCE, args, { env: { ...process.env, ZTKEYS_HOME: home } });

  it('is no answer: a recording command is sent four times, then exit 4 (README, Scripts), never exit 0; each of several runs', async () => {
    for (let run_ = 0; run_ < 3; run_++) {
      connections = 0;
      const result = await run(['task', 'authorize', 'remote-control', '--browser', 'laptop']);
      expect(result).toMatchObject({ code: EXIT.SERVER, stdout: '' });
      // Why, as the last try saw it: a hang-up fetch noticed (UND_ERR_SOCKET, ECONNRESET), or one it waited on until nothing else was left.
      expect(result.stderr).toMatch(/^ztkeys: Cannot reach the ztkeys server at http:\/\/127\.0\.0\.1:\d+: (the connection closed without an answer|UND_ERR_SOCKET|ECONNRESET)\.$/m);
      expect(connections).toBe(4);
    }
  }, 60_000);

  it('is no answer to a read either: exit 4, each of several runs (whether fetch notices the hang-up varies)', async () => {
    for (let run_ = 0; run_ < 5; run_++) {
      const result = await run(['status']);
      expect(result).toMatchObject({ code: EXIT.SERVER, stdout: '' });
      expect(result.stderr).toMatch(/Cannot reach the ztkeys server/);
    }
  }, 60_000);
});
