import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkedFetch } from '../support/answer-contract';
import { Journey, type TestAgent } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { expectAccepted, expectProblem } from './expectations';

/**
 * Two API servers on one DATA_DIR, each with its own connection to the log and its own caches
 * (stream states, stream ends), as WORKERS=2 runs them: what one writes, the other decides on at
 * once, even where it had the stream cached and no append would catch it (a refusal, a challenge).
 */
describe('two API processes on one log', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-two-apis-'));
  let one: TestServer;
  let two: TestServer;
  let viaOne: Journey;
  let viaTwo: Journey;
  let alice: TestAgent;
  let bob: TestAgent;

  beforeAll(async () => {
    one = await startTestServer({ DATA_DIR: dataDir });
    two = await startTestServer({ DATA_DIR: dataDir, ROLES: 'api' });
    [viaOne, viaTwo] = [new Journey(one), new Journey(two)];
    alice = await viaOne.createOrg('alice');
    await viaOne.requestKey(alice);
    bob = await viaOne.addAgent(alice, 'bob');
    await viaOne.activeKey(bob, alice);
    // Server one now holds the org's and bob's streams in its caches.
    expectAccepted(await viaOne.setPromptFrequency(bob, 'laptop', 'DAILY'));
    expectAccepted(await viaOne.sensitiveTask(bob, 'laptop', 'reboot', bob.key));
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a task signed over a challenge issued before the key was revoked by the other process, and the remembered window with it', async () => {
    const challenge = await viaOne.signed(bob, bob.key!, { purpose: 'SENSITIVE_TASK', browserId: 'laptop', task: 'wipe' });
    expectAccepted(await viaTwo.revokeKey(alice, 'bob'));
    const signed = await checkedFetch(`${one.url}/v1/orgs/${alice.orgId}/sensitive-tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bob.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ browserId: 'laptop', task: 'wipe', challengeId: challenge.challengeId, signature: challenge.signature }),
    });
    const refused = { status: signed.status, contentType: signed.headers.get('content-type') ?? '', body: await signed.json() };
    expectProblem(refused, 401, 'NO_ACTIVE_KEY');
    expectProblem(await viaOne.sensitiveTask(bob, 'laptop', 'reboot'), 401, 'NO_ACTIVE_KEY');
    const written = (await one.eventStore.readStream(`browser-${alice.orgId}~bob~laptop`)).map((event) => [event.type, event.data.reason ?? event.data.method]);
    expect(written.slice(-2)).toEqual([
      ['SensitiveTaskRefused', 'NO_ACTIVE_KEY'],
      ['SensitiveTaskRefused', 'NO_ACTIVE_KEY'],
    ]);
  });

  it('serves a member the other process added, and refuses one it removed', async () => {
    const carol = await viaTwo.addAgent(alice, 'carol');
    expect((await viaOne.challenge(carol, { purpose: 'SENSITIVE_TASK', browserId: 'laptop', task: 'reboot' })).status).toBe(201);
    expectAccepted(await viaTwo.removeAgent(alice, 'bob'));
    expectProblem(await viaOne.challenge(bob, { purpose: 'SENSITIVE_TASK', browserId: 'laptop', task: 'reboot' }), 403, 'NOT_A_MEMBER');
    expectProblem(await viaOne.sensitiveTask(bob, 'laptop', 'reboot'), 403, 'NOT_A_MEMBER');
  });
});
