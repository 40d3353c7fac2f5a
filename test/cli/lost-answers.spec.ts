import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { ProfileStore } from '../../src/cli/profile-store';
import { runCli } from '../../src/cli/run-cli';
import { loggedEvents } from '../e2e/event-log';
import { lossyProxy, type LossyProxy } from '../support/lossy-proxy';
import { serverForSuite } from '../support/server-for-suite';
import { memoryIo } from './support/memory-io';

/**
 * The CLI's commands that create something, when the answer is lost on the way back (a proxy
 * cuts the connection once the server has answered): the CLI sends the same request again with
 * the same Idempotency-Key, gets the first answer, and the server acted once.
 */
describe('ztkeys when an answer is lost (real server behind a lossy proxy)', () => {
  const suite = serverForSuite();
  let home: string;
  let proxy: LossyProxy | undefined;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'ztkeys-lost-'));
  });
  afterEach(async () => {
    await proxy?.close();
    rmSync(home, { recursive: true, force: true });
  });

  const run = async (argv: string[], env: Record<string, string> = {}) => {
    const io = memoryIo({ ZTKEYS_HOME: home, ...env });
    const code = await runCli([...argv, '--json'], io);
    return { code, stdout: io.stdout.text, stderr: io.stderr.text };
  };

  it('org create: sends its request again with the same key and creates one organization', async () => {
    proxy = await lossyProxy(suite.server.url, /^POST \/v1\/orgs HTTP/, 2);
    const before = (await loggedEvents(suite.server)).filter((event) => event.type === 'OrganizationCreated').length;
    const result = await run(['org', 'create', '--api', proxy.url, '--name', 'Acme', '--admin-id', 'alice', '--admin-email', 'alice@example.com', '--admin-name', 'Alice'], {
      ZTKEYS_BOOTSTRAP_TOKEN: suite.server.bootstrapToken,
    });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: EXIT.OK, stderr: '' });
    const { orgId } = JSON.parse(result.stdout);
    const created = (await loggedEvents(suite.server)).filter((event) => event.type === 'OrganizationCreated');
    expect(created).toHaveLength(before + 1);
    expect(created.at(-1)!.metadata.orgId).toBe(orgId);
    expect(proxy.keys).toHaveLength(3);
    expect(new Set(proxy.keys).size).toBe(1);
    expect(proxy.keys[0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keys create: sends its request again with the same key, keeps the private key of the one request made', async () => {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.requestKey(alice);
    const bob = await suite.journey.addAgent(alice, 'bob');
    proxy = await lossyProxy(suite.server.url, /^POST \/v1\/orgs\/[^/ ]+\/key-requests HTTP/, 1);
    new ProfileStore(home).save('default', { apiUrl: proxy.url, token: bob.token, orgId: bob.orgId, agentId: 'bob' });
    const result = await run(['keys', 'create'], { ZTKEYS_PASSPHRASE: 'bob: a long enough passphrase' });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: EXIT.OK, stderr: '' });
    const answer = JSON.parse(result.stdout);
    const requested = (await loggedEvents(suite.server, bob.orgId)).filter((event) => event.type === 'KeyRequested' && (event.data as { agentId: string }).agentId === 'bob');
    expect(requested.map((event) => (event.data as { requestId: string }).requestId)).toEqual([answer.requestId]);
    expect(proxy.keys).toHaveLength(2);
    expect(proxy.keys[1]).toBe(proxy.keys[0]);
    const fingerprint = (requested[0].data as { fingerprint: string }).fingerprint;
    expect(existsSync(join(home, 'keys', encodeURIComponent(bob.orgId), 'bob', `${fingerprint}.json`))).toBe(true);
  });
});
