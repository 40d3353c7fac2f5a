import { call, type Reply, type TestAgent } from '../support/api-client';
import { generateKeyPair, type TestKeyPair } from '../support/ed25519-keys';
import { serverForSuite } from '../support/server-for-suite';
import { loggedEvents } from './event-log';
import { expectAccepted, expectNothingWritten, expectProblem } from './expectations';

/**
 * Who holds and uses a key (R9, R18) and what a caller who may not read a key request learns from
 * refusals (issue 12, items 1, 2 and 10), attacked over HTTP as a member or an admin would.
 */
describe('key holders (R18) and what refusals reveal', () => {
  const suite = serverForSuite();

  const requested = async (agent: TestAgent, options?: { replacePending?: boolean; key?: TestKeyPair }) =>
    (await suite.journey.requestKey(agent, options)) as Reply & { key: TestKeyPair };

  /** alice (SUPER_ADMIN) holds the FIRST_KEY; bob (MEMBER) an ACTIVE key. */
  async function org(): Promise<{ alice: TestAgent; bob: TestAgent; bobsKey: TestKeyPair }> {
    const alice = await suite.journey.createOrg('alice');
    expect((await requested(alice)).body.status).toBe('APPROVED');
    const bob = await suite.journey.addAgent(alice, 'bob');
    const bobsKey = await suite.journey.activeKey(bob, alice);
    return { alice, bob, bobsKey };
  }

  describe('an AUDITOR holds no key and signs nothing (R18)', () => {
    it('a change to AUDITOR revokes the ACTIVE key and cancels the pending request in the same commit, audited', async () => {
      const { alice, bob, bobsKey } = await org();
      const replacement = await requested(bob);
      expect(replacement.body.status).toBe('PENDING');
      // Bob gets a task challenge signed while still a MEMBER, and presents it once an AUDITOR.
      const task = { browserId: 'b1', task: 'remote-control:device-42' };
      const signedEarlier = await suite.journey.signed(bob, bobsKey, { purpose: 'SENSITIVE_TASK', ...task });

      const changed = await suite.journey.changeRole(alice, 'bob', 'AUDITOR');
      expectAccepted(changed);
      const events = await loggedEvents(suite.server, alice.orgId);
      const change = events.find((event) => event.type === 'AgentRoleChanged')!;
      const written = events.filter((event) => event.metadata.causationId === change.metadata.causationId);
      expect(written.map((event) => [event.type, event.data.reasonCode ?? event.data.reason ?? event.data.to])).toEqual([
        ['AgentRoleChanged', 'AUDITOR'],
        ['KeyRequestCancelled', 'ROLE_CHANGED_TO_AUDITOR'],
        ['KeyRevoked', 'ROLE_CHANGED_TO_AUDITOR'],
      ]);
      expect(written.every((event) => event.metadata.actor === 'alice')).toBe(true);
      expect(written[written.length - 1].position).toBe(BigInt(changed.body.position));
      expect((await suite.journey.getKeyRequest(alice, replacement.body.requestId)).body.status).toBe('CANCELLED');

      const status = await call(suite.server, 'GET', `/v1/orgs/${alice.orgId}/zero-trust-status?role=AUDITOR`, alice.token, undefined, {
        'x-min-position': changed.body.position,
      });
      expect(status.body.agents).toEqual([
        expect.objectContaining({ agentId: 'bob', role: 'AUDITOR', keyStatus: 'REVOKED', activeKey: null, lastRevocation: expect.objectContaining({ reasonCode: 'ROLE_CHANGED_TO_AUDITOR', fingerprint: bobsKey.fingerprint }) }),
      ]);

      // The former key signs no sensitive task: refused and audited.
      const before = await suite.server.eventStore.headPosition();
      const signedTask = await call(suite.server, 'POST', `/v1/orgs/${bob.orgId}/sensitive-tasks`, bob.token, {
        ...task,
        challengeId: signedEarlier.challengeId,
        signature: signedEarlier.signature,
      });
      expectProblem(signedTask, 403, 'AUDITOR_CANNOT_HOLD_KEY');
      expectProblem(await suite.journey.sensitiveTask(bob, task.browserId, task.task), 403, 'AUDITOR_CANNOT_HOLD_KEY');
      const refusals = (await suite.server.eventStore.readAll(before, 10)).map((event) => [event.type, event.data.reason]);
      expect(refusals).toEqual([
        ['SensitiveTaskRefused', 'AUDITOR_CANNOT_HOLD_KEY'],
        ['SensitiveTaskRefused', 'AUDITOR_CANNOT_HOLD_KEY'],
      ]);
      // A browser logout is a write, and an AUDITOR changes nothing.
      await expectNothingWritten(suite.server, async () => {
        expectProblem(await suite.journey.logout(bob, 'b1'), 403, 'AUDITOR_CANNOT_HOLD_KEY');
        expectProblem(await suite.journey.challenge(bob, { purpose: 'SENSITIVE_TASK', browserId: 'b1', task: 'x' }), 403, 'AUDITOR_CANNOT_HOLD_KEY');
        const newKey = generateKeyPair();
        expectProblem(await suite.journey.challenge(bob, { purpose: 'KEY_REQUEST', publicKey: newKey.publicKey }), 403, 'AUDITOR_CANNOT_HOLD_KEY');
      });
    });

    it('a request whose requester is now AUDITOR cannot be approved, even one decided in a race with the change', async () => {
      const { alice } = await org();
      const carol = await suite.journey.addAgent(alice, 'carol');
      const pending = await requested(carol);
      const signed = await suite.journey.signed(alice, alice.key!, { purpose: 'KEY_DECISION', requestId: pending.body.requestId, decision: 'APPROVE' });
      expectAccepted(await suite.journey.changeRole(alice, 'carol', 'AUDITOR'));
      await expectNothingWritten(suite.server, async () => {
        const approve = await call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/key-requests/${pending.body.requestId}/approve`, alice.token, {
          ...signed,
          statement: undefined,
          verificationCode: pending.body.verificationCode,
        });
        expectProblem(approve, 409, 'REQUEST_NOT_PENDING');
      });
      const status = await suite.journey.getKeyRequest(alice, pending.body.requestId);
      expect(status.body.status).toBe('CANCELLED');
    });
  });

  describe('a public key belongs to one agent of an org; a revoked key never signs again there (R9, R18)', () => {
    it("after bob's key is revoked, nobody can request it again, whoever presents it", async () => {
      const { alice, bobsKey } = await org();
      const carol = await suite.journey.addAgent(alice, 'carol');
      expectAccepted(await suite.journey.revokeKey(alice, 'bob'));
      await expectNothingWritten(suite.server, async () => {
        const again = await suite.journey.requestKey(carol, { key: bobsKey });
        expectProblem(again, 409, 'PUBLIC_KEY_TAKEN');
        expect(JSON.stringify(again.body)).not.toContain('bob');
      });
    });

    it('a key held by one agent cannot be requested by another, so it is never ACTIVE for two', async () => {
      const { alice, bob, bobsKey } = await org();
      const carol = await suite.journey.addAgent(alice, 'carol');
      await expectNothingWritten(suite.server, async () => expectProblem(await suite.journey.requestKey(carol, { key: bobsKey }), 409, 'PUBLIC_KEY_TAKEN'));
      // The owner may ask again for their own key once its request was rejected (it was never revoked).
      const dave = await suite.journey.addAgent(alice, 'dave');
      const davesKey = generateKeyPair();
      const first = await requested(dave, { key: davesKey });
      expectAccepted(await suite.journey.decide(alice, first.body.requestId, 'REJECT', { reason: 'Call me first' }), 200);
      expectProblem(await suite.journey.requestKey(carol, { key: davesKey }), 409, 'PUBLIC_KEY_TAKEN');
      const again = await requested(dave, { key: davesKey });
      expect(again.status).toBe(201);
      expect(again.body.status).toBe('PENDING');
      const approvedForBobsKey = (await loggedEvents(suite.server, alice.orgId)).filter((event) => event.type === 'KeyApproved' && event.data.publicKey === bobsKey.publicKey);
      expect(approvedForBobsKey.map((event) => event.data.agentId)).toEqual([bob.agentId]);
    });

    it('two agents requesting the same key at once: exactly one wins', async () => {
      const alice = await suite.journey.createOrg('alice');
      await requested(alice);
      const agents = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((id) => suite.journey.addAgent(alice, id)));
      const shared = generateKeyPair();
      const bodies = await Promise.all(
        agents.map(async (agent) => {
          const { challengeId, signature } = await suite.journey.signed(agent, shared, { purpose: 'KEY_REQUEST', publicKey: shared.publicKey });
          return { publicKey: shared.publicKey, challengeId, signature };
        }),
      );
      const replies = await Promise.all(agents.map((agent, i) => call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/key-requests`, agent.token, bodies[i])));
      expect(replies.map((reply) => reply.status).sort()).toEqual([201, 409, 409, 409]);
      for (const reply of replies.filter((reply) => reply.status === 409)) expectProblem(reply, 409, 'PUBLIC_KEY_TAKEN');
      const requestedEvents = (await loggedEvents(suite.server, alice.orgId)).filter((event) => event.type === 'KeyRequested' && event.data.publicKey === shared.publicKey);
      expect(requestedEvents).toHaveLength(1);
    });
  });

  describe('a caller who may not read a request learns nothing from refusals', () => {
    it('a MEMBER gets no KEY_DECISION challenge and no decision status, only 403', async () => {
      const { alice, bob } = await org();
      const carol = await suite.journey.addAgent(alice, 'carol');
      const pending = await requested(carol);
      const rejected = await requested(await suite.journey.addAgent(alice, 'dave'));
      await suite.journey.decide(alice, rejected.body.requestId, 'REJECT');
      await expectNothingWritten(suite.server, async () => {
        for (const requestId of [pending.body.requestId, rejected.body.requestId, `00000000-0000-7000-8000-000000000000.${Buffer.from('carol').toString('base64url')}`]) {
          for (const decision of ['APPROVE', 'REJECT']) {
            const challenge = await suite.journey.challenge(bob, { purpose: 'KEY_DECISION', requestId, decision });
            expectProblem(challenge, 403, 'NOT_AN_APPROVER');
            expect(JSON.stringify(challenge.body)).not.toContain(pending.key.publicKey);
          }
          // Bob signs a statement of his own making with his ACTIVE key: the answer is the same 403.
          const signed = await suite.journey.signed(bob, bob.key!, { purpose: 'SENSITIVE_TASK', browserId: 'b', task: 't' });
          for (const action of ['approve', 'reject']) {
            const reply = await call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/key-requests/${requestId}/${action}`, bob.token, {
              challengeId: signed.challengeId,
              signature: signed.signature,
              ...(action === 'approve' ? { verificationCode: pending.body.verificationCode } : {}),
            });
            expectProblem(reply, 403, 'NOT_AN_APPROVER');
            expect(JSON.stringify(reply.body)).not.toMatch(/REJECTED|PENDING|requestStatus/);
          }
          expectProblem(await suite.journey.getKeyRequest(bob, requestId), 403);
        }
      });
    });

    it('a MEMBER or an AUDITOR revoking a key learns nothing of who is in the org: the same 403 for an agent with a key, without one, removed, or never there', async () => {
      const { alice, bob } = await org();
      const auditor = await suite.journey.addAgent(alice, 'audrey', 'AUDITOR');
      await suite.journey.addAgent(alice, 'carol');
      await suite.journey.addAgent(alice, 'gone');
      expectAccepted(await suite.journey.removeAgent(alice, 'gone'));
      await expectNothingWritten(suite.server, async () => {
        for (const caller of [bob, auditor]) {
          // alice and bob hold a key, carol none, gone was removed, ghost never was.
          for (const agentId of ['alice', 'bob', 'carol', 'gone', 'ghost']) {
            const reply = await suite.journey.revokeKey(caller, agentId);
            expectProblem(reply, 403, 'NOT_AN_APPROVER');
            expect(reply.body.detail).toBe('Only an ADMIN or SUPER_ADMIN revokes keys.');
          }
        }
      });
      // An approver is told which it is.
      expectProblem(await suite.journey.revokeKey(alice, 'ghost'), 404, 'AGENT_NOT_FOUND');
      expectProblem(await suite.journey.revokeKey(alice, 'carol'), 404, 'NO_ACTIVE_KEY');
    });
  });
});
