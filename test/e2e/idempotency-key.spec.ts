import { call, type Reply, type TestAgent } from '../support/api-client';
import { generateKeyPair, type TestKeyPair } from '../support/ed25519-keys';
import { rawCall } from '../support/raw-http';
import { serverForSuite } from '../support/server-for-suite';
import { loggedEvents } from './event-log';
import { expectAccepted, expectNothingWritten, expectProblem } from './expectations';

/**
 * A client whose answer was lost sends the very same request again with the same
 * Idempotency-Key: it gets the first answer, and the log holds the command once.
 */
describe('Idempotency-Key (real server)', () => {
  const suite = serverForSuite();
  let keys = 0;
  const freshKey = () => `retry-${process.pid}-${++keys}`;
  const withKey = (key: string) => ({ 'idempotency-key': key });

  const orgBody = (name = 'Acme Support') => ({ name, superAdmin: { agentId: 'alice', email: 'alice@example.com', displayName: 'Alice' } });
  const createOrg = (body: unknown, key: string) => call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, body, withKey(key));

  const typesOf = async (orgId: string) => (await loggedEvents(suite.server, orgId)).map((event) => event.type);

  /** An org whose first agent, `admin`, holds a key, and before each test a new agent of it whose key is active: `agent`. */
  function keyHolderEachTest(): { admin: TestAgent; agent: TestAgent } {
    const holder = {} as { admin: TestAgent; agent: TestAgent };
    beforeAll(async () => {
      holder.admin = await suite.journey.createOrg('alice');
      await suite.journey.requestKey(holder.admin);
    });
    beforeEach(async () => {
      holder.agent = await suite.journey.addAgent(holder.admin, `bob-${++keys}`);
      await suite.journey.activeKey(holder.agent, holder.admin);
    });
    return holder;
  }

  describe('POST /v1/orgs', () => {
    it('answers a retry with the first answer and creates the organization once', async () => {
      const key = freshKey();
      const first = await createOrg(orgBody(), key);
      expectAccepted(first, 201);
      const second = await createOrg(orgBody(), key);
      expect(second).toEqual(first);
      const created = (await loggedEvents(suite.server)).filter((event) => event.type === 'OrganizationCreated');
      expect(created.filter((event) => event.metadata.orgId === first.body.orgId)).toHaveLength(1);
      expect(await typesOf(first.body.orgId)).toEqual(['OrganizationCreated', 'AgentAdded']);
    });

    it('takes a retry whose JSON members come in another order as the same request', async () => {
      const key = freshKey();
      const first = await createOrg(orgBody(), key);
      expectAccepted(first, 201);
      const reordered = { superAdmin: { displayName: 'Alice', email: 'alice@example.com', agentId: 'alice' }, name: 'Acme Support' };
      await expectNothingWritten(suite.server, async () => expect(await createOrg(reordered, key)).toEqual(first));
    });

    it('answers two requests with the same key at once with one organization', async () => {
      const key = freshKey();
      const before = (await loggedEvents(suite.server)).length;
      const [a, b] = await Promise.all([createOrg(orgBody(), key), createOrg(orgBody(), key)]);
      expectAccepted(a, 201);
      expect(b).toEqual(a);
      expect((await loggedEvents(suite.server)).length).toBe(before + 2);
    });

    it('refuses the same key with another body (422), writing nothing', async () => {
      const key = freshKey();
      expectAccepted(await createOrg(orgBody('First'), key), 201);
      await expectNothingWritten(suite.server, async () => expectProblem(await createOrg(orgBody('Second'), key), 422, 'IDEMPOTENCY_KEY_REUSED'));
    });

    it("takes the draft's quoted form as the same key", async () => {
      const key = freshKey();
      const first = await createOrg(orgBody(), `"${key}"`);
      expectAccepted(first, 201);
      expect(await createOrg(orgBody(), key)).toEqual(first);
    });

    it('refuses a key given twice (400), writing nothing', async () => {
      const body = JSON.stringify(orgBody());
      const head = `POST /v1/orgs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${suite.server.bootstrapToken}\r\nContent-Type: application/json\r\nIdempotency-Key: one\r\nIdempotency-Key: two\r\n`;
      await expectNothingWritten(suite.server, async () => expectProblem(await rawCall(suite.server, head, body), 400, 'INVALID_IDEMPOTENCY_KEY'));
    });

    it('without a key, a retry is a second organization', async () => {
      const first = await call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, orgBody());
      const second = await call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, orgBody());
      expectAccepted(second, 201);
      expect(second.body.orgId).not.toBe(first.body.orgId);
    });

    it.each([
      ['empty', ''],
      ['over 255 characters', 'k'.repeat(256)],
      ['with a space', 'two words'],
      ['not ASCII', 'clé'],
      ['quoted with nothing inside', '""'],
    ])('refuses a key %s (400), writing nothing', async (_, key) => {
      await expectNothingWritten(suite.server, async () => expectProblem(await createOrg(orgBody(), key), 400, 'INVALID_IDEMPOTENCY_KEY'));
    });
  });

  describe('POST /v1/orgs/{orgId}/key-requests', () => {
    let alice: TestAgent;
    let bob: TestAgent;

    beforeAll(async () => {
      alice = await suite.journey.createOrg('alice');
      await suite.journey.requestKey(alice);
    });

    beforeEach(async () => {
      bob = await suite.journey.addAgent(alice, `bob-${++keys}`);
    });

    async function signedRequest(agent: TestAgent, key: TestKeyPair = generateKeyPair(), replacePending?: boolean) {
      const { challengeId, signature } = await suite.journey.signed(agent, key, { purpose: 'KEY_REQUEST', publicKey: key.publicKey });
      return { publicKey: key.publicKey, challengeId, signature, ...(replacePending === undefined ? {} : { replacePending }) };
    }
    const requestKey = (agent: TestAgent, body: unknown, key: string): Promise<Reply> =>
      call(suite.server, 'POST', `/v1/orgs/${agent.orgId}/key-requests`, agent.token, body, withKey(key));
    const requestsOf = async (agent: TestAgent) =>
      (await loggedEvents(suite.server, agent.orgId)).filter((event) => ['KeyRequested', 'KeyRequestCancelled'].includes(event.type) && (event.data as { agentId: string }).agentId === agent.agentId).map((event) => event.type);

    it('answers a retry with the first answer (same request, code and position) and requests once', async () => {
      const key = freshKey();
      const body = await signedRequest(bob);
      const first = await requestKey(bob, body, key);
      expectAccepted(first, 201);
      expect(first.body.status).toBe('PENDING');
      expect(await requestKey(bob, body, key)).toEqual(first);
      expect(await requestsOf(bob)).toEqual(['KeyRequested']);
    });

    it('with replacePending, a retry does not replace the request it made', async () => {
      await suite.journey.requestKey(bob);
      const key = freshKey();
      const body = await signedRequest(bob, generateKeyPair(), true);
      const first = await requestKey(bob, body, key);
      expectAccepted(first, 201);
      expect(await requestKey(bob, body, key)).toEqual(first);
      expect(await requestsOf(bob)).toEqual(['KeyRequested', 'KeyRequestCancelled', 'KeyRequested']);
    });

    it('answers the first answer after the request was approved meanwhile', async () => {
      const key = freshKey();
      const body = await signedRequest(bob);
      const first = await requestKey(bob, body, key);
      expect(first.body.status).toBe('PENDING');
      const approved = await suite.journey.decide(alice, first.body.requestId, 'APPROVE', { verificationCode: first.body.verificationCode });
      expectAccepted(approved, 200);
      await expectNothingWritten(suite.server, async () => expect(await requestKey(bob, body, key)).toEqual(first));
    });

    it('refuses a retry once its caller may no longer request keys (now an AUDITOR), as any request of theirs, writing nothing', async () => {
      const key = freshKey();
      const body = await signedRequest(bob);
      expectAccepted(await requestKey(bob, body, key), 201);
      expectAccepted(await suite.journey.changeRole(alice, bob.agentId, 'AUDITOR'), 200);
      await expectNothingWritten(suite.server, async () => expectProblem(await requestKey(bob, body, key), 403, 'AUDITOR_CANNOT_HOLD_KEY'));
    });

    it('refuses the same key with another request (422), writing nothing', async () => {
      const key = freshKey();
      expectAccepted(await requestKey(bob, await signedRequest(bob), key), 201);
      const other = await signedRequest(bob, generateKeyPair(), true);
      await expectNothingWritten(suite.server, async () => expectProblem(await requestKey(bob, other, key), 422, 'IDEMPOTENCY_KEY_REUSED'));
    });

    it('binds nothing to a key whose first request was refused: the same request is decided anew once the refusal no longer holds', async () => {
      const pending = await suite.journey.requestKey(bob);
      const key = freshKey();
      const body = await signedRequest(bob);
      await expectNothingWritten(suite.server, async () => expectProblem(await requestKey(bob, body, key), 409, 'REQUEST_PENDING'));
      expectAccepted(await suite.journey.decide(alice, pending.body.requestId, 'REJECT'), 200);
      const retried = await requestKey(bob, body, key);
      expectAccepted(retried, 201);
      expect(await requestKey(bob, body, key)).toEqual(retried);
      expect(await requestsOf(bob)).toEqual(['KeyRequested', 'KeyRequested']);
    });

    it("keeps each caller's keys apart: the same key from two agents is two requests", async () => {
      const carol = await suite.journey.addAgent(alice, `carol-${++keys}`);
      const key = freshKey();
      const fromBob = await requestKey(bob, await signedRequest(bob), key);
      const fromCarol = await requestKey(carol, await signedRequest(carol), key);
      expectAccepted(fromBob, 201);
      expectAccepted(fromCarol, 201);
      expect(fromCarol.body.requestId).not.toBe(fromBob.body.requestId);
    });

    it('answers the first key of an org (APPROVED) again on a retry', async () => {
      const dave = await suite.journey.createOrg('dave');
      const key = freshKey();
      const body = await signedRequest(dave);
      const first = await requestKey(dave, body, key);
      expectAccepted(first, 201);
      expect(first.body.status).toBe('APPROVED');
      await expectNothingWritten(suite.server, async () => expect(await requestKey(dave, body, key)).toEqual(first));
    });
  });

  describe('POST /v1/orgs/{orgId}/sensitive-tasks', () => {
    const holder = keyHolderEachTest();

    const authorize = (agent: TestAgent, body: unknown, key: string): Promise<Reply> => call(suite.server, 'POST', `/v1/orgs/${agent.orgId}/sensitive-tasks`, agent.token, body, withKey(key));
    const signedTask = async (agent: TestAgent, browserId: string, task: string) => {
      const { challengeId, signature } = await suite.journey.signed(agent, agent.key!, { purpose: 'SENSITIVE_TASK', browserId, task });
      return { browserId, task, challengeId, signature };
    };
    const taskEventsOf = async (agent: TestAgent) =>
      (await loggedEvents(suite.server, agent.orgId))
        .filter((event) => event.type.startsWith('SensitiveTask') && (event.data as { agentId: string }).agentId === agent.agentId)
        .map((event) => event.type);

    it('answers a remembered task retried with the same key with the first answer, and records one authorization', async () => {
      expectAccepted(await suite.journey.setPromptFrequency(holder.agent, 'laptop', 'DAILY'), 200);
      const key = freshKey();
      const body = { browserId: 'laptop', task: 'remote-control' };
      const first = await authorize(holder.agent, body, key);
      expectAccepted(first, 200);
      expect(first.body).toEqual(expect.objectContaining({ authorized: true, method: 'REMEMBERED' }));
      await expectNothingWritten(suite.server, async () => expect(await authorize(holder.agent, body, key)).toEqual(first));
      expect(await taskEventsOf(holder.agent)).toEqual(['SensitiveTaskAuthorized']);
    });

    it('answers requests at once whose JSON members come in other orders with one authorization', async () => {
      const key = freshKey();
      const { browserId, task, challengeId, signature } = await signedTask(holder.agent, 'desk', 'wire-transfer');
      const bodies = [{ browserId, task, challengeId, signature }, { signature, challengeId, task, browserId }, { task, signature, browserId, challengeId }];
      const [first, ...others] = await Promise.all(bodies.map((body) => authorize(holder.agent, body, key)));
      expectAccepted(first, 200);
      for (const other of others) expect(other).toEqual(first);
      expect(await taskEventsOf(holder.agent)).toEqual(['SensitiveTaskAuthorized']);
    });

    it('answers a signed task retried with the same key with the first answer, not CHALLENGE_REPLAYED, and records one authorization', async () => {
      const key = freshKey();
      const body = await signedTask(holder.agent, 'desk', 'wire-transfer');
      const first = await authorize(holder.agent, body, key);
      expectAccepted(first, 200);
      expect(first.body.method).toBe('SIGNATURE');
      await expectNothingWritten(suite.server, async () => expect(await authorize(holder.agent, body, key)).toEqual(first));
      expect(await taskEventsOf(holder.agent)).toEqual(['SensitiveTaskAuthorized']);
    });

    it.each([
      ['remembered', false],
      ['signed', true],
    ])('answers %s requests sent with the same key at once with one authorization', async (_, signed) => {
      if (!signed) expectAccepted(await suite.journey.setPromptFrequency(holder.agent, 'laptop', 'WEEKLY'), 200);
      const key = freshKey();
      const body = signed ? await signedTask(holder.agent, 'laptop', 'remote-control') : { browserId: 'laptop', task: 'remote-control' };
      const before = (await loggedEvents(suite.server)).length;
      const [first, ...others] = await Promise.all(Array.from({ length: 4 }, () => authorize(holder.agent, body, key)));
      expectAccepted(first, 200);
      for (const other of others) expect(other).toEqual(first);
      expect((await loggedEvents(suite.server)).length).toBe(before + 1);
      expect(await taskEventsOf(holder.agent)).toEqual(['SensitiveTaskAuthorized']);
    });

    it('decides a retry anew once its caller may no longer perform tasks (now an AUDITOR): a refusal, recorded as any of theirs', async () => {
      expectAccepted(await suite.journey.setPromptFrequency(holder.agent, 'laptop', 'DAILY'), 200);
      const key = freshKey();
      const body = { browserId: 'laptop', task: 'remote-control' };
      expectAccepted(await authorize(holder.agent, body, key), 200);
      expectAccepted(await suite.journey.changeRole(holder.admin, holder.agent.agentId, 'AUDITOR'), 200);
      expectProblem(await authorize(holder.agent, body, key), 403, 'AUDITOR_CANNOT_HOLD_KEY');
      expect(await taskEventsOf(holder.agent)).toEqual(['SensitiveTaskAuthorized', 'SensitiveTaskRefused']);
    });

    it('answers two other requests with the same key at once with one authorization and a 422', async () => {
      expectAccepted(await suite.journey.setPromptFrequency(holder.agent, 'laptop', 'DAILY'), 200);
      const key = freshKey();
      const answers = await Promise.all(['remote-control', 'wire-transfer'].map((task) => authorize(holder.agent, { browserId: 'laptop', task }, key)));
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 422]);
      expectProblem(answers.find((answer) => answer.status === 422)!, 422, 'IDEMPOTENCY_KEY_REUSED');
      expect(await taskEventsOf(holder.agent)).toEqual(['SensitiveTaskAuthorized']);
    });

    it.each([
      ['signed', true],
      ['remembered, whose window the logout closed', false],
    ])('answers the first answer of a %s task after the browser moved on (other tasks, a logout)', async (_, signed) => {
      if (!signed) expectAccepted(await suite.journey.setPromptFrequency(holder.agent, 'desk', 'DAILY'), 200);
      const key = freshKey();
      const body = signed ? await signedTask(holder.agent, 'desk', 'wire-transfer') : { browserId: 'desk', task: 'wire-transfer' };
      const first = await authorize(holder.agent, body, key);
      expectAccepted(first, 200);
      expect(first.body.method).toBe(signed ? 'SIGNATURE' : 'REMEMBERED');
      expectAccepted(await suite.journey.sensitiveTask(holder.agent, 'desk', 'remote-control', holder.agent.key), 200);
      expectAccepted(await suite.journey.logout(holder.agent, 'desk'), 200);
      expectProblem(await suite.journey.sensitiveTask(holder.agent, 'desk', 'remote-control'), 401, 'PROMPT_REQUIRED');
      await expectNothingWritten(suite.server, async () => expect(await authorize(holder.agent, body, key)).toEqual(first));
    });

    it("keeps each browser's keys apart: the same key in another browser is that browser's request", async () => {
      const key = freshKey();
      const onDesk = await authorize(holder.agent, await signedTask(holder.agent, 'desk', 'wire-transfer'), key);
      const onLaptop = await authorize(holder.agent, await signedTask(holder.agent, 'laptop', 'wire-transfer'), key);
      expectAccepted(onDesk, 200);
      expectAccepted(onLaptop, 200);
      expect(await taskEventsOf(holder.agent)).toEqual(['SensitiveTaskAuthorized', 'SensitiveTaskAuthorized']);
    });

    it('refuses the same key with another request (422), writing nothing', async () => {
      expectAccepted(await suite.journey.setPromptFrequency(holder.agent, 'laptop', 'DAILY'), 200);
      const key = freshKey();
      expectAccepted(await authorize(holder.agent, { browserId: 'laptop', task: 'remote-control' }, key), 200);
      await expectNothingWritten(suite.server, async () => expectProblem(await authorize(holder.agent, { browserId: 'laptop', task: 'wire-transfer' }, key), 422, 'IDEMPOTENCY_KEY_REUSED'));
      const signed = await signedTask(holder.agent, 'laptop', 'remote-control');
      await expectNothingWritten(suite.server, async () => expectProblem(await authorize(holder.agent, signed, key), 422, 'IDEMPOTENCY_KEY_REUSED'));
    });

    it('binds nothing to a key whose first request was refused (recorded 401): the signed request that follows may take the same key', async () => {
      const key = freshKey();
      const refused = await authorize(holder.agent, { browserId: 'kiosk', task: 'remote-control' }, key);
      expectProblem(refused, 401, 'PROMPT_REQUIRED');
      const body = await signedTask(holder.agent, 'kiosk', 'remote-control');
      const signed = await authorize(holder.agent, body, key);
      expectAccepted(signed, 200);
      expect(await authorize(holder.agent, body, key)).toEqual(signed);
      expect(await taskEventsOf(holder.agent)).toEqual(['SensitiveTaskRefused', 'SensitiveTaskAuthorized']);
    });

    it('refuses a malformed key (400), writing nothing', async () => {
      await expectNothingWritten(suite.server, async () => expectProblem(await authorize(holder.agent, { browserId: 'laptop', task: 'remote-control' }, 'two words'), 400, 'INVALID_IDEMPOTENCY_KEY'));
    });

    it('without a key, a retry is a second authorization', async () => {
      expectAccepted(await suite.journey.setPromptFrequency(holder.agent, 'laptop', 'DAILY'), 200);
      expectAccepted(await suite.journey.sensitiveTask(holder.agent, 'laptop', 'remote-control'), 200);
      expectAccepted(await suite.journey.sensitiveTask(holder.agent, 'laptop', 'remote-control'), 200);
      expect(await taskEventsOf(holder.agent)).toEqual(['SensitiveTaskAuthorized', 'SensitiveTaskAuthorized']);
    });
  });

  describe('PUT /v1/orgs/{orgId}/agents/{agentId}/browsers/{browserId}/prompt-frequency', () => {
    const holder = keyHolderEachTest();

    const setFrequency = (agent: TestAgent, browserId: string, body: unknown, key: string): Promise<Reply> =>
      call(suite.server, 'PUT', `/v1/orgs/${agent.orgId}/agents/${agent.agentId}/browsers/${browserId}/prompt-frequency`, agent.token, body, withKey(key));
    const signedFrequency = async (agent: TestAgent, browserId: string, frequency: string) => {
      const { challengeId, signature } = await suite.journey.signed(agent, agent.key!, { purpose: 'PROMPT_FREQUENCY', browserId, frequency });
      return { frequency, challengeId, signature };
    };
    const changesOf = async (agent: TestAgent) =>
      (await loggedEvents(suite.server, agent.orgId)).filter((event) => event.type === 'PromptFrequencyChanged' && (event.data as { agentId: string }).agentId === agent.agentId).map((event) => (event.data as { frequency: string }).frequency);

    it('answers a retry with the first answer, not CHALLENGE_REPLAYED, and records the change once', async () => {
      const key = freshKey();
      const body = await signedFrequency(holder.agent, 'laptop', 'DAILY');
      const first = await setFrequency(holder.agent, 'laptop', body, key);
      expectAccepted(first, 200);
      expect(first.body.frequency).toBe('DAILY');
      await expectNothingWritten(suite.server, async () => expect(await setFrequency(holder.agent, 'laptop', body, key)).toEqual(first));
      expect(await changesOf(holder.agent)).toEqual(['DAILY']);
    });

    it('answers requests sent with the same key at once with one change', async () => {
      const key = freshKey();
      const body = await signedFrequency(holder.agent, 'laptop', 'WEEKLY');
      const [first, ...others] = await Promise.all(Array.from({ length: 3 }, () => setFrequency(holder.agent, 'laptop', body, key)));
      expectAccepted(first, 200);
      for (const other of others) expect(other).toEqual(first);
      expect(await changesOf(holder.agent)).toEqual(['WEEKLY']);
    });

    it('refuses the same key with another request (422), writing nothing', async () => {
      const key = freshKey();
      expectAccepted(await setFrequency(holder.agent, 'laptop', await signedFrequency(holder.agent, 'laptop', 'DAILY'), key), 200);
      const other = await signedFrequency(holder.agent, 'laptop', 'WEEKLY');
      await expectNothingWritten(suite.server, async () => expectProblem(await setFrequency(holder.agent, 'laptop', other, key), 422, 'IDEMPOTENCY_KEY_REUSED'));
    });

    it('refuses a malformed key (400), writing nothing', async () => {
      const body = await signedFrequency(holder.agent, 'laptop', 'DAILY');
      await expectNothingWritten(suite.server, async () => expectProblem(await setFrequency(holder.agent, 'laptop', body, '"'), 400, 'INVALID_IDEMPOTENCY_KEY'));
    });
  });
});
