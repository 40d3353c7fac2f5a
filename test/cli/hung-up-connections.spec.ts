import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { ProfileStore } from '../../src/cli/profile-store';
import { CLI_BUILT, runProcess } from './support/cli-process';

/** An address that accepts each connection and closes it at once, counting them; and a CLI home whose profile points at it. */
interface HangUp {
  home: string;
  server: Server;
  connections: number;
}

async function hangUpAddress(): Promise<HangUp> {
  const home = mkdtempSync(join(tmpdir(), 'ztkeys-hang-up-'));
  const hangUp: HangUp = { home, server: createServer((socket) => {
    hangUp.connections++;
    socket.destroy();
  }), connections: 0 };
  await new Promise<void>((resolve) => hangUp.server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(hangUp.server.address() as AddressInfo).port}`;
  new ProfileStore(home).save('default', { apiUrl: url, token: 'token-1', orgId: 'org-1', agentId: 'alice' });
  return hangUp;
}

/**
 * A server address that accepts each connection and closes it at once, before a byte of the
 * request: a proxy with no backend, or a port published before its server listens (docker-proxy).
 * Node 20's fetch then waits for ever holding no handle, and the process would end with the
 * command unfinished, exit 0 and nothing printed. The CLI runs as its own process (built), as users
 * run it: a test runner's event loop would hide that end. The runs of a case are independent (each
 * recording run has an address of its own, to count its connections), so they run at once.
 */
describe('a server address that hangs up on every connection', () => {
  const addresses: HangUp[] = [];
  const address = async (): Promise<HangUp> => {
    const made = await hangUpAddress();
    addresses.push(made);
    return made;
  };
  afterAll(async () => {
    for (const { server, home } of addresses) {
      await new Promise((resolve) => server.close(resolve));
      rmSync(home, { recursive: true, force: true });
    }
  });

  const run = (home: string, args: string[]) => runProcess(CLI_BUILT, args, { env: { ...process.env, ZTKEYS_HOME: home } });

  it('is no answer: a recording command is sent four times, then exit 4 (README, Scripts), never exit 0; each of several runs', async () => {
    const runs = await Promise.all(
      Array.from({ length: 3 }, async () => {
        const hangUp = await address();
        const result = await run(hangUp.home, ['task', 'authorize', 'remote-control', '--browser', 'laptop']);
        return { result, connections: hangUp.connections };
      }),
    );
    for (const { result, connections } of runs) {
      expect(result).toMatchObject({ code: EXIT.SERVER, stdout: '' });
      // Why, as the last try saw it: a hang-up fetch noticed (UND_ERR_SOCKET, ECONNRESET), or one it waited on until nothing else was left.
      expect(result.stderr).toMatch(/^ztkeys: Cannot reach the ztkeys server at http:\/\/127\.0\.0\.1:\d+: (the connection closed without an answer|UND_ERR_SOCKET|ECONNRESET)\.$/m);
      expect(connections).toBe(4);
    }
  }, 60_000);

  it('is no answer to a read either: exit 4, each of several runs (whether fetch notices the hang-up varies)', async () => {
    const { home } = await address();
    const results = await Promise.all(Array.from({ length: 5 }, () => run(home, ['status'])));
    for (const result of results) {
      expect(result).toMatchObject({ code: EXIT.SERVER, stdout: '' });
      expect(result.stderr).toMatch(/Cannot reach the ztkeys server/);
    }
  }, 60_000);
});
