import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { ProfileStore } from '../../src/cli/profile-store';
import { runCli } from '../../src/cli/run-cli';
import type { TestAgent } from '../support/api-client';
import { loggedEvents } from '../e2e/event-log';
import { lossyProxy, type LossyProxy } from '../support/lossy-proxy';
import { serverForSuite } from '../support/server-for-suite';
import { verificationCode } from '../../src/crypto/verification-code';
import { CLI_BUILT, runProcess } from './support/cli-process';
import { memoryIo } from './support/memory-io';

const KEY_REQUEST = /^POST \/v1\/orgs\/[^/ ]+\/key-requests HTTP/;

/**
 * The CLI's commands that record something, when the answer is lost on the way back (a proxy
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
    proxy = await lossyProxy(suite.server.url, KEY_REQUEST, 1);
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

  describe('keys create, when the answer never comes', () => {
    const PASSPHRASE = { ZTKEYS_PASSPHRASE: 'bob: a long enough passphrase' };
    let alice: TestAgent;

    beforeAll(async () => {
      alice = await suite.journey.createOrg('alice');
      await suite.journey.requestKey(alice);
    });

    /** The request the server recorded for `agentId`, approved by alice with the code of its key. */
    async function approveRecordedRequest(agentId: string): Promise<void> {
      const requested = (await loggedEvents(suite.server, alice.orgId)).filter((event) => event.type === 'KeyRequested' && (event.data as { agentId: string }).agentId === agentId);
      expect(requested).toHaveLength(1);
      const { requestId, publicKey } = requested[0].data as { requestId: string; publicKey: string };
      const approved = await suite.journey.decide(alice, requestId, 'APPROVE', { verificationCode: verificationCode(alice.orgId, agentId, publicKey) });
      expect(approved.status).toBe(200);
    }

    /** The next command that signs, once the answers come again: it signs with the approved key. */
    async function signsWithApprovedKey(): Promise<void> {
      const result = await run(['prompt-frequency', 'set', 'DAILY', '--browser', 'laptop'], PASSPHRASE);
      expect(result.code).toBe(EXIT.OK);
      expect(JSON.parse(result.stdout)).toMatchObject({ frequency: 'DAILY' });
      expect(result.stderr).toMatch(/^Your key request of key \S+, sent earlier without an answer, is request \S+ \(PENDING\)\.\nYour key request \S+ was approved: key \S+ is now your active key\.\n$/);
    }

    it('every send answered by no answer: the key is kept, and once approved the next command signs with it', async () => {
      const bob = await suite.journey.addAgent(alice, 'bob-gave-up');
      proxy = await lossyProxy(suite.server.url, KEY_REQUEST, 4);
      new ProfileStore(home).save('default', { apiUrl: proxy.url, token: bob.token, orgId: bob.orgId, agentId: bob.agentId });
      const lost = await run(['keys', 'create'], PASSPHRASE);
      expect(lost.code).toBe(EXIT.SERVER);
      expect(JSON.parse(lost.stderr).error.message).toMatch(/The server may have recorded your key request: key \S+ is kept/);
      expect(proxy.keys).toHaveLength(4);
      await approveRecordedRequest(bob.agentId);
      await signsWithApprovedKey();
    });

    it('interrupted (Ctrl-C) while it waits, after the server recorded the request: the key is kept, and once approved the next command signs with it', async () => {
      const bob = await suite.journey.addAgent(alice, 'bob-interrupted');
      proxy = await lossyProxy(suite.server.url, KEY_REQUEST, 1, 0, 'hold');
      new ProfileStore(home).save('default', { apiUrl: proxy.url, token: bob.token, orgId: bob.orgId, agentId: bob.agentId });
      const interrupted = await runProcess(CLI_BUILT, ['keys', 'create'], { env: { PATH: process.env.PATH, ZTKEYS_HOME: home, ...PASSPHRASE }, interrupt: proxy.answerLost() });
      expect(interrupted.code).not.toBe(EXIT.OK);
      await approveRecordedRequest(bob.agentId);
      await signsWithApprovedKey();
    });
  });

  describe('in a browser', () => {
    const BOB_PASSPHRASE = { ZTKEYS_PASSPHRASE: 'bob: a long enough passphrase' };
    const TASK_REQUEST = /^POST \/v1\/orgs\/[^/ ]+\/sensitive-tasks HTTP/;
    let alice: TestAgent;
    let agents = 0;

    beforeAll(async () => {
      alice = await suite.journey.createOrg('alice');
      await suite.journey.requestKey(alice);
    });

    /** A new agent whose ACTIVE key is the one `keys create` made on this machine, with the profile pointing at `apiUrl`. */
    async function agentWithKeyHere(apiUrl: string): Promise<TestAgent> {
      const agent = await suite.journey.addAgent(alice, `bob-${++agents}`);
      new ProfileStore(home).save('default', { apiUrl, token: agent.token, orgId: agent.orgId, agentId: agent.agentId });
      const created = await run(['keys', 'create'], BOB_PASSPHRASE);
      expect(created.code).toBe(EXIT.OK);
      const { requestId, verificationCode } = JSON.parse(created.stdout);
      expect((await suite.journey.decide(alice, requestId, 'APPROVE', { verificationCode })).status).toBe(200);
      return agent;
    }
    const eventsOf = async (agent: TestAgent, ...types: string[]) =>
      (await loggedEvents(suite.server, agent.orgId)).filter((event) => types.includes(event.type) && (event.data as { agentId: string }).agentId === agent.agentId);

    it('task authorize, remembered: sends its request again with the same key and records one authorization', async () => {
      proxy = await lossyProxy(suite.server.url, TASK_REQUEST, 2);
      const bob = await agentWithKeyHere(proxy.url);
      expect((await run(['prompt-frequency', 'set', 'DAILY', '--browser', 'laptop'], BOB_PASSPHRASE)).code).toBe(EXIT.OK);
      // No passphrase: a run that tried to sign would stop.
      const result = await run(['task', 'authorize', 'remote-control', '--browser', 'laptop']);
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: EXIT.OK, stderr: '' });
      expect(JSON.parse(result.stdout)).toMatchObject({ authorized: true, method: 'REMEMBERED' });
      expect((await eventsOf(bob, 'SensitiveTaskAuthorized', 'SensitiveTaskRefused')).map((event) => event.type)).toEqual(['SensitiveTaskAuthorized']);
      expect(proxy.keys).toHaveLength(3);
      expect(new Set(proxy.keys).size).toBe(1);
      expect(proxy.keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('task authorize, signed: sends the signed request again with its own key, gets its answer (not CHALLENGE_REPLAYED) and records one authorization', async () => {
      // The unsigned request is answered (401, a signature is needed); the signed one's answer is lost twice.
      proxy = await lossyProxy(suite.server.url, TASK_REQUEST, 2, 1);
      const bob = await agentWithKeyHere(proxy.url);
      const result = await run(['task', 'authorize', 'remote-control', '--browser', 'desk'], BOB_PASSPHRASE);
      expect(result.code).toBe(EXIT.OK);
      expect(JSON.parse(result.stdout)).toMatchObject({ authorized: true, method: 'SIGNATURE' });
      expect((await eventsOf(bob, 'SensitiveTaskAuthorized', 'SensitiveTaskRefused')).map((event) => event.type)).toEqual(['SensitiveTaskRefused', 'SensitiveTaskAuthorized']);
      const [unsigned, ...signed] = proxy.keys;
      expect(signed).toEqual([signed[0], signed[0], signed[0]]);
      expect(signed[0]).toMatch(/^[0-9a-f-]{36}$/);
      expect(unsigned).toMatch(/^[0-9a-f-]{36}$/);
      expect(unsigned).not.toBe(signed[0]);
    });

    it('prompt-frequency set: sends its signed request again with the same key and records one change', async () => {
      proxy = await lossyProxy(suite.server.url, /^PUT \/v1\/orgs\/[^/ ]+\/agents\/[^/ ]+\/browsers\/laptop\/prompt-frequency HTTP/, 1);
      const bob = await agentWithKeyHere(proxy.url);
      const result = await run(['prompt-frequency', 'set', 'WEEKLY', '--browser', 'laptop'], BOB_PASSPHRASE);
      expect(result.code).toBe(EXIT.OK);
      expect(JSON.parse(result.stdout)).toMatchObject({ frequency: 'WEEKLY' });
      expect((await eventsOf(bob, 'PromptFrequencyChanged')).map((event) => (event.data as { frequency: string }).frequency)).toEqual(['WEEKLY']);
      expect(proxy.keys).toHaveLength(2);
      expect(proxy.keys[1]).toBe(proxy.keys[0]);
    });
  });
});
