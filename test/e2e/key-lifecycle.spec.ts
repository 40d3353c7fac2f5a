import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import { createPublicKey, verify } from 'node:crypto';
import { verificationCode } from '../../src/crypto/verification-code';
import { agentStream, orgStream } from '../../src/domain/streams';
import { call, type Reply, type TestAgent } from '../support/api-client';
import { generateKeyPair, type TestKeyPair } from '../support/ed25519-keys';
import { serverForSuite } from '../support/server-for-suite';
import { eventsOfRequest, loggedEvents } from './event-log';
import { expectAccepted, expectNothingWritten, expectProblem } from './expectations';

const CODE = /^[0-9]{3}-[0-9]{3}-[0-9]{3}-[0-9]{3}-[0-9]{3}$/;
const HOUR_MS = 3600 * 1000;

/** The same code with its last digit changed: well-formed, and wrong. */
const wrongCode = (code: string): string => code.slice(0, -1) + String((Number(code.slice(-1)) + 1) % 10);

/** Anyone can check a recorded signature with public data alone (R6), here with node:crypto's JWK import. */
const verifiesOffline = (proof: { statement: string; signature: string; publicKey: string }): boolean =>
  verify(
    null,
    Buffer.from(proof.statement, 'utf8'),
    createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: proof.publicKey }, format: 'jwk' }),
    Buffer.from(proof.signature, 'base64url'),
  );

describe('key lifecycle over HTTP (the source article journey)', () => {
  const suite = serverForSuite();

  const approve = (approver: TestAgent, requestId: string, code: string) => suite.journey.decide(approver, requestId, 'APPROVE', { verificationCode: code });
  const requested = async (agent: TestAgent, options?: { replacePending?: boolean; key?: TestKeyPair }) =>
    (await suite.journey.requestKey(agent, options)) as Reply & { key: TestKeyPair };

  /** A fresh org: alice (SUPER_ADMIN) holds the FIRST_KEY; with `admin`, carol (ADMIN) holds a key too. */
  async function org(options: { admin?: boolean } = {}): Promise<{ alice: TestAgent; carol?: TestAgent }> {
    const alice = await suite.journey.createOrg('alice');
    const first = await suite.journey.requestKey(alice);
    expect(first.body.status).toBe('APPROVED');
    if (!options.admin) return { alice };
    const carol = await suite.journey.addAgent(alice, 'carol', 'ADMIN');
    await suite.journey.activeKey(carol, alice);
    return { alice, carol };
  }

  it("creates an org whose super admin's first key is approved at once (FIRST_KEY)", async () => {
    const alice = await suite.journey.createOrg('alice');
    const before = await call(suite.server, 'GET', `/v1/orgs/${alice.orgId}`, alice.token);
    expect(before.status).toBe(200);
    expect(before.body).toEqual(
      expect.objectContaining({ orgId: alice.orgId, name: 'Acme Support', policy: DEFAULT_ORG_POLICY, firstKeyAssigned: false }),
    );

    const first = await requested(alice);
    expectAccepted(first, 201);
    expect(first.body).toEqual(
      expect.objectContaining({ status: 'APPROVED', verificationCode: expect.stringMatching(CODE), fingerprint: first.key.fingerprint }),
    );
    expect(first.body.warning).toBeUndefined();

    const view = await suite.journey.getKeyRequest(alice, first.body.requestId);
    expect(view.status).toBe(200);
    expect(view.body).toEqual(expect.objectContaining({ requestId: first.body.requestId, agentId: 'alice', status: 'APPROVED', publicKey: first.key.publicKey }));
    expect(view.body.history.map((entry: { type: string }) => entry.type)).toEqual(['KeyRequested', 'KeyApproved']);
    for (const entry of view.body.history) expect(entry).toEqual({ type: expect.any(String), at: expect.any(String), by: 'alice', position: expect.stringMatching(/^[0-9]+$/) });

    const [requestedEvent, approvedEvent] = await suite.server.eventStore.readStream(agentStream(alice.orgId, 'alice'));
    expect(approvedEvent.type).toBe('KeyApproved');
    expect(approvedEvent.data).toEqual(expect.objectContaining({ requestId: first.body.requestId, mode: 'FIRST_KEY', publicKey: first.key.publicKey }));
    expect(verifiesOffline((requestedEvent.data as { proof: { statement: string; signature: string; publicKey: string } }).proof)).toBe(true);
    const orgEvents = await suite.server.eventStore.readStream(orgStream(alice.orgId));
    expect(orgEvents.filter((event) => event.type === 'FirstKeyAssigned').map((event) => event.data)).toEqual([
      { agentId: 'alice', requestId: first.body.requestId },
    ]);
    expect((await call(suite.server, 'GET', `/v1/orgs/${alice.orgId}`, alice.token)).body.firstKeyAssigned).toBe(true);
  });

  it("holds a member's request PENDING with a 15-digit code; a wrong code is refused and counted, the right one approves", async () => {
    const { alice } = await org();
    const bob = await suite.journey.addAgent(alice, 'bob');
    const pending = await requested(bob);
    expectAccepted(pending, 201);
    expect(pending.body.status).toBe('PENDING');
    expect(pending.body.verificationCode).toMatch(CODE);
    // R5: the requester computes the code from the public key itself.
    expect(pending.body.verificationCode).toBe(verificationCode(bob.orgId, 'bob', pending.key.publicKey));

    const wrong = await approve(alice, pending.body.requestId, wrongCode(pending.body.verificationCode));
    expectProblem(wrong, 422, 'VERIFICATION_CODE_MISMATCH');
    expect(wrong.body).toEqual(expect.objectContaining({ attemptsLeft: 4, failedAttempts: 1, position: expect.stringMatching(/^[0-9]+$/) }));

    const approved = await approve(alice, pending.body.requestId, pending.body.verificationCode.replace(/-/g, ' '));
    expectAccepted(approved);
    expect(approved.body).toEqual(expect.objectContaining({ requestId: pending.body.requestId, status: 'APPROVED', mode: 'APPROVAL' }));

    const view = await suite.journey.getKeyRequest(bob, pending.body.requestId);
    expect(view.body).toEqual(expect.objectContaining({ status: 'APPROVED', failedAttempts: 1, verificationCode: pending.body.verificationCode }));
    expect(view.body.history.map((entry: { type: string; by: string }) => `${entry.type} by ${entry.by}`)).toEqual([
      'KeyRequested by bob',
      'KeyApprovalAttemptFailed by alice',
      'KeyApproved by alice',
    ]);

    // R6: the decision is stored with its statement and signature, verifiable offline.
    const [decision] = eventsOfRequest(await loggedEvents(suite.server, bob.orgId), pending.body.requestId, 'KeyApproved');
    const recorded = (decision.data as { decision: { statement: string; signature: string; publicKey: string } }).decision;
    expect(recorded.publicKey).toBe(alice.key!.publicKey);
    expect(JSON.parse(recorded.statement)).toEqual(
      expect.objectContaining({ purpose: 'KEY_DECISION', orgId: bob.orgId, agentId: 'alice', requestId: pending.body.requestId, requesterPublicKey: pending.key.publicKey, decision: 'APPROVE' }),
    );
    expect(verifiesOffline(recorded)).toBe(true);
  });

  it('handles agents whose ids are as long as allowed (128 characters): their request ids still route', async () => {
    const { alice } = await org();
    const agentId = `agent.${'x'.repeat(122)}`;
    expectAccepted(await call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/agents`, alice.token, { agentId, email: 'long@example.com', displayName: 'Long', role: 'MEMBER' }), 201);
    const long = { orgId: alice.orgId, agentId, token: await suite.server.token(alice.orgId, agentId) };
    expect(long.agentId).toHaveLength(128);
    const pending = await requested(long);
    expect(pending.body.requestId.length).toBeGreaterThan(200);
    expect((await suite.journey.getKeyRequest(long, pending.body.requestId)).body.agentId).toBe(long.agentId);
    expectAccepted(await approve(alice, pending.body.requestId, pending.body.verificationCode));
  });

  it('lets a rejected agent request again from scratch (R7); a decided request cannot be decided again', async () => {
    const { alice } = await org();
    const bob = await suite.journey.addAgent(alice, 'bob');
    const first = await requested(bob);
    const rejected = await suite.journey.decide(alice, first.body.requestId, 'REJECT', { reason: 'Not the laptop we issued' });
    expectAccepted(rejected);
    expect(rejected.body).toEqual(expect.objectContaining({ requestId: first.body.requestId, status: 'REJECTED' }));
    expect((await suite.journey.getKeyRequest(alice, first.body.requestId)).body.status).toBe('REJECTED');

    await expectNothingWritten(suite.server, async () => {
      expectProblem(await approve(alice, first.body.requestId, first.body.verificationCode), 409, 'REQUEST_NOT_PENDING');
      expectProblem(await suite.journey.decide(alice, first.body.requestId, 'REJECT'), 409, 'REQUEST_NOT_PENDING');
    });

    const again = await requested(bob);
    expectAccepted(again, 201);
    expect(again.body.status).toBe('PENDING');
    expect(again.body.requestId).not.toBe(first.body.requestId);
    expectAccepted(await approve(alice, again.body.requestId, again.body.verificationCode));
  });

  it('refuses a second PENDING request unless replacePending, which cancels the old one (R7)', async () => {
    const { alice } = await org();
    const bob = await suite.journey.addAgent(alice, 'bob');
    const first = await requested(bob);

    const refused = await expectNothingWritten(suite.server, () => suite.journey.requestKey(bob));
    expectProblem(refused, 409, 'REQUEST_PENDING');
    expect(refused.body.pendingRequestId).toBe(first.body.requestId);

    const replacing = await requested(bob, { replacePending: true });
    expectAccepted(replacing, 201);
    expect(replacing.body.status).toBe('PENDING');
    const old = await suite.journey.getKeyRequest(bob, first.body.requestId);
    expect(old.body.status).toBe('CANCELLED');
    expect(old.body.history.map((entry: { type: string }) => entry.type)).toEqual(['KeyRequested', 'KeyRequestCancelled']);
    expect((await suite.journey.getKeyRequest(bob, replacing.body.requestId)).body.status).toBe('PENDING');

    await expectNothingWritten(suite.server, async () => {
      expectProblem(await approve(alice, first.body.requestId, first.body.verificationCode), 409, 'REQUEST_NOT_PENDING');
    });
    expectAccepted(await approve(alice, replacing.body.requestId, replacing.body.verificationCode));
  });

  it('locks a request on the 5th wrong code; a locked request cannot be approved; the agent requests again', async () => {
    const { alice } = await org();
    const bob = await suite.journey.addAgent(alice, 'bob');
    const pending = await requested(bob);
    const bad = wrongCode(pending.body.verificationCode);
    for (const attemptsLeft of [4, 3, 2, 1]) {
      const wrong = await approve(alice, pending.body.requestId, bad);
      expectProblem(wrong, 422, 'VERIFICATION_CODE_MISMATCH');
      expect(wrong.body.attemptsLeft).toBe(attemptsLeft);
    }
    const locking = await approve(alice, pending.body.requestId, bad);
    expectProblem(locking, 422, 'REQUEST_LOCKED');
    expect(locking.body).toEqual(expect.objectContaining({ attemptsLeft: 0, failedAttempts: 5 }));

    const view = await suite.journey.getKeyRequest(alice, pending.body.requestId);
    expect(view.body).toEqual(expect.objectContaining({ status: 'LOCKED', failedAttempts: 5 }));
    expect(view.body.history.filter((entry: { type: string }) => entry.type === 'KeyApprovalAttemptFailed')).toHaveLength(5);
    expect(view.body.history[view.body.history.length - 1].type).toBe('KeyRequestLocked');

    await expectNothingWritten(suite.server, async () => {
      expectProblem(await approve(alice, pending.body.requestId, pending.body.verificationCode), 409, 'REQUEST_NOT_PENDING');
      expectProblem(await suite.journey.decide(alice, pending.body.requestId, 'REJECT'), 409, 'REQUEST_NOT_PENDING');
    });
    const again = await requested(bob);
    expect(again.body.status).toBe('PENDING');
  });

  it('refuses self-approval, a MEMBER approving, and an approver without an ACTIVE key (R6)', async () => {
    const { alice, carol } = await org({ admin: true });
    const bob = await suite.journey.addAgent(alice, 'bob');
    await suite.journey.activeKey(bob, alice);
    const dave = await suite.journey.addAgent(alice, 'dave');
    const erin = await suite.journey.addAgent(alice, 'erin', 'ADMIN');
    const davesRequest = await requested(dave);
    const ownChange = await requested(alice);
    expect(ownChange.body.status).toBe('PENDING');

    await expectNothingWritten(suite.server, async () => {
      // Another approver (carol) holds an ACTIVE key: alice's own replacement is not hers to decide.
      expectProblem(await approve(alice, ownChange.body.requestId, ownChange.body.verificationCode), 403, 'SELF_DECISION');
      expectProblem(await suite.journey.decide(alice, ownChange.body.requestId, 'REJECT'), 403, 'SELF_DECISION');
      // A MEMBER gets no decision challenge (its statement would show the requester's key).
      for (const decision of ['APPROVE', 'REJECT']) {
        expectProblem(await suite.journey.challenge(bob, { purpose: 'KEY_DECISION', requestId: davesRequest.body.requestId, decision }), 403, 'NOT_AN_APPROVER');
      }
      erin.key = generateKeyPair(); // a key the server never approved
      expectProblem(await approve(erin, davesRequest.body.requestId, davesRequest.body.verificationCode), 403, 'APPROVER_HAS_NO_ACTIVE_KEY');
    });
    expectAccepted(await approve(carol!, ownChange.body.requestId, ownChange.body.verificationCode));
  });

  it('revokes the old key when a key change is approved (R8)', async () => {
    const { alice, carol } = await org({ admin: true });
    const oldKey = alice.key!;
    const change = await requested(alice);
    expect(change.body.status).toBe('PENDING');
    const approved = await approve(carol!, change.body.requestId, change.body.verificationCode);
    expectAccepted(approved);
    expect(approved.body.mode).toBe('APPROVAL');

    const stream = await suite.server.eventStore.readStream(agentStream(alice.orgId, 'alice'));
    const requestedEvent = stream.find((event) => event.type === 'KeyRequested' && event.data.requestId === change.body.requestId)!;
    expect(requestedEvent.data.replacesFingerprint).toBe(oldKey.fingerprint);
    const tail = stream.slice(-2).map((event) => [event.type, event.data.fingerprint, event.data.reasonCode]);
    expect(tail).toEqual([
      ['KeyRevoked', oldKey.fingerprint, 'REPLACED'],
      ['KeyApproved', change.key.fingerprint, undefined],
    ]);

    // The old key signs nothing any more; the new one does.
    const bob = await suite.journey.addAgent(alice, 'bob');
    const bobs = await requested(bob);
    alice.key = oldKey;
    await expectNothingWritten(suite.server, async () => {
      expectProblem(await approve(alice, bobs.body.requestId, bobs.body.verificationCode), 422, 'INVALID_SIGNATURE');
    });
    alice.key = change.key;
    expectAccepted(await approve(alice, bobs.body.requestId, bobs.body.verificationCode));
  });

  it("approves the only approver's own key change with their current key (ROTATION)", async () => {
    const { alice } = await org();
    const bob = await suite.journey.addAgent(alice, 'bob');
    await suite.journey.activeKey(bob, alice);
    const oldKey = alice.key!;
    const change = await requested(alice);
    expect(change.body.status).toBe('PENDING');
    const rotated = await approve(alice, change.body.requestId, change.body.verificationCode);
    expectAccepted(rotated);
    expect(rotated.body).toEqual(expect.objectContaining({ status: 'APPROVED', mode: 'ROTATION' }));
    const revoked = (await suite.server.eventStore.readStream(agentStream(alice.orgId, 'alice'))).find((event) => event.type === 'KeyRevoked')!;
    expect(revoked.data).toEqual(expect.objectContaining({ fingerprint: oldKey.fingerprint, reasonCode: 'REPLACED' }));

    alice.key = change.key;
    const dave = await suite.journey.addAgent(alice, 'dave');
    await suite.journey.activeKey(dave, alice);
  });

  it('refuses anything signed by a revoked key (R9)', async () => {
    const { alice, carol } = await org({ admin: true });
    const bob = await suite.journey.addAgent(alice, 'bob');
    const bobsKey = await suite.journey.activeKey(bob, alice);
    const dave = await suite.journey.addAgent(alice, 'dave');
    const davesRequest = await requested(dave);

    await expectNothingWritten(suite.server, async () => {
      expectProblem(await suite.journey.revokeKey(bob, 'carol'), 403, 'NOT_AN_APPROVER');
      expectProblem(await call(suite.server, 'DELETE', `/v1/orgs/${alice.orgId}/agents/carol/key`, alice.token, {}), 400, 'INVALID_INPUT');
    });
    const revoked = await suite.journey.revokeKey(alice, 'carol', 'Left the support team');
    expectAccepted(revoked);
    const event = (await loggedEvents(suite.server, alice.orgId)).find((candidate) => candidate.type === 'KeyRevoked')!;
    expect(event.data).toEqual(expect.objectContaining({ agentId: 'carol', reasonCode: 'REVOKED_BY_ADMIN', reason: 'Left the support team', revokedBy: 'alice' }));
    expectAccepted(await suite.journey.revokeKey(alice, 'bob'));

    await expectNothingWritten(suite.server, async () => {
      expectProblem(await approve(carol!, davesRequest.body.requestId, davesRequest.body.verificationCode), 403, 'APPROVER_HAS_NO_ACTIVE_KEY');
      expectProblem(await suite.journey.setPromptFrequency(bob, 'b1', 'DAILY', bobsKey), 409, 'NO_ACTIVE_KEY');
      expectProblem(await suite.journey.requestKey(bob, { key: bobsKey }), 409, 'KEY_REVOKED');
      expectProblem(await suite.journey.revokeKey(alice, 'bob'), 404, 'NO_ACTIVE_KEY');
    });
    // A sensitive-task refusal is audited (R11): one SensitiveTaskRefused, and no authorization.
    const before = await suite.server.eventStore.headPosition();
    const task = await suite.journey.sensitiveTask(bob, 'b1', 'remote-control:device-42', bobsKey);
    expectProblem(task, 401, 'NO_ACTIVE_KEY');
    expect(task.body.promptRequired).toBe(false);
    const written = (await suite.server.eventStore.readAll(before, 10)).map((written) => [written.type, written.data.reason]);
    expect(written).toEqual([['SensitiveTaskRefused', 'NO_ACTIVE_KEY']]);
  });

  it('removing an agent revokes their key and cancels their pending request, in one commit (R9)', async () => {
    const { alice } = await org();
    const bob = await suite.journey.addAgent(alice, 'bob');
    await suite.journey.activeKey(bob, alice);
    const change = await requested(bob);
    expect(change.body.status).toBe('PENDING');

    const removed = await suite.journey.removeAgent(alice, 'bob');
    expectAccepted(removed);
    const events = await loggedEvents(suite.server, alice.orgId);
    const removal = events.find((event) => event.type === 'AgentRemoved')!;
    const written = events.filter((event) => event.metadata.causationId === removal.metadata.causationId);
    expect(written.map((event) => [event.type, event.data.reasonCode ?? event.data.reason ?? event.data.role])).toEqual([
      ['AgentRemoved', 'MEMBER'],
      ['KeyRequestCancelled', 'AGENT_REMOVED'],
      ['KeyRevoked', 'AGENT_REMOVED'],
    ]);
    expect(written[written.length - 1].position).toBe(BigInt(removed.body.position));
    expect((await suite.journey.getKeyRequest(alice, change.body.requestId)).body.status).toBe('CANCELLED');

    await expectNothingWritten(suite.server, async () => {
      expectProblem(await suite.journey.challenge(bob, { purpose: 'KEY_REQUEST', publicKey: generateKeyPair().publicKey }), 403, 'NOT_A_MEMBER');
      expectProblem(await suite.journey.removeAgent(alice, 'bob'), 404, 'AGENT_NOT_FOUND');
      expectProblem(await suite.journey.revokeKey(alice, 'bob'), 404, 'AGENT_NOT_FOUND');
    });
  });

  it('answers a removed SUPER_ADMIN whose token has not expired 403 NOT_A_MEMBER on the agents endpoints too, as on every other (R1)', async () => {
    const alice = await suite.journey.createOrg('alice');
    const carol = await suite.journey.addAgent(alice, 'carol', 'SUPER_ADMIN');
    await suite.journey.addAgent(alice, 'bob');
    expectAccepted(await suite.journey.removeAgent(alice, 'carol'));
    const base = `/v1/orgs/${alice.orgId}`;
    await expectNothingWritten(suite.server, async () => {
      for (const reply of [
        await call(suite.server, 'POST', `${base}/agents`, carol.token, { agentId: 'dave', email: 'dave@acme.test', displayName: 'Dave', role: 'MEMBER' }),
        await suite.journey.changeRole(carol, 'bob', 'ADMIN'),
        await suite.journey.removeAgent(carol, 'bob'),
        await suite.journey.revokeKey(carol, 'bob'),
      ]) {
        expectProblem(reply, 403, 'NOT_A_MEMBER');
        expect(reply.body.detail).toBe('Agent "carol" is not a member of this organization.');
      }
    });
  });

  it('keeps the last SUPER_ADMIN, and applies role changes at once (R1)', async () => {
    const { alice, carol } = await org({ admin: true });
    await expectNothingWritten(suite.server, async () => {
      expectProblem(await suite.journey.changeRole(alice, 'alice', 'ADMIN'), 409, 'LAST_SUPER_ADMIN');
      expectProblem(await suite.journey.removeAgent(alice, 'alice'), 409, 'LAST_SUPER_ADMIN');
      expectProblem(await suite.journey.changeRole(carol!, 'alice', 'MEMBER'), 403, 'NOT_SUPER_ADMIN');
      expectProblem(await suite.journey.changeRole(alice, 'nobody', 'MEMBER'), 404, 'AGENT_NOT_FOUND');
      // Setting the role an agent already has is accepted and writes nothing.
      expect((await suite.journey.changeRole(alice, 'carol', 'ADMIN')).status).toBe(200);
    });

    expectAccepted(await suite.journey.changeRole(alice, 'carol', 'SUPER_ADMIN'));
    expectAccepted(await suite.journey.changeRole(carol!, 'alice', 'MEMBER'));

    // Same token, next call: alice is a MEMBER now.
    const bob = await suite.journey.addAgent(carol!, 'bob');
    const bobs = await requested(bob);
    await expectNothingWritten(suite.server, async () => {
      expectProblem(await suite.journey.challenge(alice, { purpose: 'KEY_DECISION', requestId: bobs.body.requestId, decision: 'APPROVE' }), 403, 'NOT_AN_APPROVER');
      expectProblem(await suite.journey.revokeKey(alice, 'carol'), 403, 'NOT_AN_APPROVER');
      expectProblem(await suite.journey.changeRole(alice, 'bob', 'ADMIN'), 403, 'NOT_SUPER_ADMIN');
    });
    expectAccepted(await approve(carol!, bobs.body.requestId, bobs.body.verificationCode));
    expectProblem(await suite.journey.changeRole(carol!, 'carol', 'ADMIN'), 409, 'LAST_SUPER_ADMIN');
  });

  it('refuses the FIRST_KEY to a MEMBER under the default policy, saying why; with the policy off it is approved with a warning (R4)', async () => {
    const strict = await suite.journey.createOrg('alice');
    const bob = await suite.journey.addAgent(strict, 'bob');
    const refused = await expectNothingWritten(suite.server, () => suite.journey.requestKey(bob));
    expectProblem(refused, 409, 'FIRST_KEY_REQUIRES_ADMIN');
    expect(refused.body.detail).toMatch(/first key/i);
    expect(refused.body.detail).toMatch(/ADMIN/);

    const lenient = await suite.journey.createOrg('alice', { firstKeyRequiresAdmin: false });
    expect((await call(suite.server, 'GET', `/v1/orgs/${lenient.orgId}`, lenient.token)).body.policy).toEqual({ ...DEFAULT_ORG_POLICY, firstKeyRequiresAdmin: false });
    const member = await suite.journey.addAgent(lenient, 'bob');
    const granted = await requested(member);
    expectAccepted(granted, 201);
    expect(granted.body.status).toBe('APPROVED');
    expect(granted.body.warning).toEqual(expect.stringMatching(/ADMIN/));
    const approvedEvents = (await loggedEvents(suite.server, lenient.orgId)).filter((event) => event.type === 'KeyApproved');
    expect(approvedEvents.map((event) => [event.data.agentId, event.data.mode])).toEqual([['bob', 'FIRST_KEY']]);
    // Only one first key per org: alice's own request now waits for an approver, and none holds a key.
    const aliceRequest = await requested(lenient);
    expect(aliceRequest.body.status).toBe('PENDING');
    const signingWithPendingKey = { ...lenient, key: aliceRequest.key };
    expectProblem(await approve(signingWithPendingKey, aliceRequest.body.requestId, aliceRequest.body.verificationCode), 403, 'APPROVER_HAS_NO_ACTIVE_KEY');
    // The warning names the way out that works: a SUPER_ADMIN makes the holder an ADMIN, who approves.
    expect(granted.body.warning).toMatch(/nobody can approve/i);
    expect(granted.body.warning).toMatch(/make (this agent|them) an ADMIN/i);
    expect(granted.body.warning).not.toMatch(/Have an admin request a key/i);
    expectAccepted(await suite.journey.changeRole(lenient, 'bob', 'ADMIN'), 200);
    member.key = granted.key;
    const approved = await approve(member, aliceRequest.body.requestId, aliceRequest.body.verificationCode);
    expectAccepted(approved, 200);
    expect(approved.body.status).toBe('APPROVED');
  });

  it('prompts per browser: EVERY_TASK by default, DAILY remembered in that browser only, reset by logout and by a key change (R10, R11)', async () => {
    const { alice } = await org();
    const task = 'remote-control:device-42';

    const unsigned = await suite.journey.sensitiveTask(alice, 'b1', task);
    expectProblem(unsigned, 401, 'PROMPT_REQUIRED');
    expect(unsigned.body).toEqual(expect.objectContaining({ promptRequired: true, position: expect.stringMatching(/^[0-9]+$/) }));

    const signed = await suite.journey.sensitiveTask(alice, 'b1', task, alice.key);
    expectAccepted(signed);
    expect(signed.body).toEqual(expect.objectContaining({ authorized: true, method: 'SIGNATURE', validUntil: expect.any(String) }));
    expectProblem(await suite.journey.sensitiveTask(alice, 'b1', task), 401, 'PROMPT_REQUIRED');

    const setAt = Date.now();
    const daily = await suite.journey.setPromptFrequency(alice, 'b1', 'DAILY');
    const setBy = Date.now();
    expectAccepted(daily);
    expect(daily.body.frequency).toBe('DAILY');

    const remembered = await suite.journey.sensitiveTask(alice, 'b1', task);
    expectAccepted(remembered);
    expect(remembered.body).toEqual(expect.objectContaining({ authorized: true, method: 'REMEMBERED' }));
    const validUntil = Date.parse(remembered.body.validUntil);
    expect(validUntil).toBeGreaterThanOrEqual(setAt + 24 * HOUR_MS - 1000);
    expect(validUntil).toBeLessThanOrEqual(setBy + 24 * HOUR_MS + 1000);

    // Another browser keeps its own setting.
    expectProblem(await suite.journey.sensitiveTask(alice, 'b2', task), 401, 'PROMPT_REQUIRED');

    expectAccepted(await suite.journey.logout(alice, 'b1'));
    expectProblem(await suite.journey.sensitiveTask(alice, 'b1', task), 401, 'PROMPT_REQUIRED');

    // Only the agent themself acts in their browsers.
    const bob = await suite.journey.addAgent(alice, 'bob');
    await expectNothingWritten(suite.server, async () => {
      expectProblem(await suite.journey.logout({ ...bob, agentId: 'alice' }, 'b1'), 403, 'NOT_SELF');
    });

    // A key change resets every browser to EVERY_TASK.
    expectAccepted(await suite.journey.setPromptFrequency(alice, 'b1', 'WEEKLY'));
    const weekly = await suite.journey.sensitiveTask(alice, 'b1', task);
    expect(weekly.body.method).toBe('REMEMBERED');
    expect(Date.parse(weekly.body.validUntil)).toBeGreaterThan(Date.now() + 167 * HOUR_MS);
    const change = await requested(alice);
    expectAccepted(await approve(alice, change.body.requestId, change.body.verificationCode));
    alice.key = change.key;
    expectProblem(await suite.journey.sensitiveTask(alice, 'b1', task), 401, 'PROMPT_REQUIRED');
    expect((await suite.journey.sensitiveTask(alice, 'b1', task, alice.key)).body.method).toBe('SIGNATURE');
  });

  describe('signatures cannot be replayed or moved (R15)', () => {
    it('refuses a challenge and signature used a second time, writing nothing', async () => {
      const { alice } = await org();
      const bob = await suite.journey.addAgent(alice, 'bob');
      const key = generateKeyPair();
      const proof = await suite.journey.signed(bob, key, { purpose: 'KEY_REQUEST', publicKey: key.publicKey });
      const body = { publicKey: key.publicKey, challengeId: proof.challengeId, signature: proof.signature };
      const path = `/v1/orgs/${bob.orgId}/key-requests`;
      const pending = await call(suite.server, 'POST', path, bob.token, body);
      expectAccepted(pending, 201);
      await expectNothingWritten(suite.server, async () => {
        expectProblem(await call(suite.server, 'POST', path, bob.token, { ...body, replacePending: true }), 422, 'CHALLENGE_REPLAYED');
      });

      const task = { browserId: 'b1', task: 'remote-control:device-7' };
      const taskProof = await suite.journey.signed(alice, alice.key!, { purpose: 'SENSITIVE_TASK', ...task });
      const taskBody = { ...task, challengeId: taskProof.challengeId, signature: taskProof.signature };
      expectAccepted(await call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/sensitive-tasks`, alice.token, taskBody));
      await expectNothingWritten(suite.server, async () => {
        expectProblem(await call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/sensitive-tasks`, alice.token, taskBody), 422, 'CHALLENGE_REPLAYED');
      });

      const frequencyPath = `/v1/orgs/${alice.orgId}/agents/alice/browsers/b1/prompt-frequency`;
      const frequencyProof = await suite.journey.signed(alice, alice.key!, { purpose: 'PROMPT_FREQUENCY', browserId: 'b1', frequency: 'DAILY' });
      const frequencyBody = { frequency: 'DAILY', challengeId: frequencyProof.challengeId, signature: frequencyProof.signature };
      expectAccepted(await call(suite.server, 'PUT', frequencyPath, alice.token, frequencyBody));
      await expectNothingWritten(suite.server, async () => {
        expectProblem(await call(suite.server, 'PUT', frequencyPath, alice.token, frequencyBody), 422, 'CHALLENGE_REPLAYED');
      });

      // A decision that carried a wrong code used its challenge: it cannot be sent again with the right code.
      const decision = await suite.journey.signed(alice, alice.key!, { purpose: 'KEY_DECISION', requestId: pending.body.requestId, decision: 'APPROVE' });
      const approvePath = `/v1/orgs/${alice.orgId}/key-requests/${pending.body.requestId}/approve`;
      const decisionBody = { challengeId: decision.challengeId, signature: decision.signature };
      expectProblem(await call(suite.server, 'POST', approvePath, alice.token, { ...decisionBody, verificationCode: wrongCode(pending.body.verificationCode) }), 422, 'VERIFICATION_CODE_MISMATCH');
      await expectNothingWritten(suite.server, async () => {
        expectProblem(await call(suite.server, 'POST', approvePath, alice.token, { ...decisionBody, verificationCode: pending.body.verificationCode }), 422, 'CHALLENGE_REPLAYED');
      });
    });

    it('refuses a signature over another statement, and a challenge issued for something else', async () => {
      const { alice, carol } = await org({ admin: true });
      const bob = await suite.journey.addAgent(alice, 'bob');
      const key = generateKeyPair();
      const proof = await suite.journey.signed(bob, key, { purpose: 'KEY_REQUEST', publicKey: key.publicKey });
      const other = await suite.journey.signed(bob, key, { purpose: 'KEY_REQUEST', publicKey: key.publicKey });
      const keyRequests = `/v1/orgs/${bob.orgId}/key-requests`;
      const pending = await requested(await suite.journey.addAgent(alice, 'dave'));
      const approvePath = `/v1/orgs/${alice.orgId}/key-requests/${pending.body.requestId}/approve`;
      const decision = await suite.journey.signed(alice, alice.key!, { purpose: 'KEY_DECISION', requestId: pending.body.requestId, decision: 'APPROVE' });
      const rejectChallenge = await suite.journey.signed(alice, alice.key!, { purpose: 'KEY_DECISION', requestId: pending.body.requestId, decision: 'REJECT' });
      const carolsChallenge = await suite.journey.signed(carol!, alice.key!, { purpose: 'KEY_DECISION', requestId: pending.body.requestId, decision: 'APPROVE' });
      const code = pending.body.verificationCode;

      await expectNothingWritten(suite.server, async () => {
        // Signed by the right key, but over another challenge's statement.
        expectProblem(await call(suite.server, 'POST', keyRequests, bob.token, { publicKey: key.publicKey, challengeId: proof.challengeId, signature: other.signature }), 422, 'INVALID_SIGNATURE');
        // Signed by another key than the one requested (no proof of possession).
        const stranger = generateKeyPair();
        expectProblem(await call(suite.server, 'POST', keyRequests, bob.token, { publicKey: key.publicKey, challengeId: proof.challengeId, signature: stranger.sign(proof.statement) }), 422, 'INVALID_SIGNATURE');
        // A KEY_REQUEST challenge for one key used to register another.
        expectProblem(await call(suite.server, 'POST', keyRequests, bob.token, { publicKey: stranger.publicKey, challengeId: proof.challengeId, signature: stranger.sign(proof.statement) }), 422, 'CHALLENGE_MISMATCH');
        expectProblem(await call(suite.server, 'POST', approvePath, alice.token, { verificationCode: code, challengeId: decision.challengeId, signature: rejectChallenge.signature }), 422, 'INVALID_SIGNATURE');
        // A REJECT challenge cannot approve; carol's challenge is not alice's.
        expectProblem(await call(suite.server, 'POST', approvePath, alice.token, { verificationCode: code, challengeId: rejectChallenge.challengeId, signature: rejectChallenge.signature }), 422, 'CHALLENGE_MISMATCH');
        expectProblem(await call(suite.server, 'POST', approvePath, alice.token, { verificationCode: code, challengeId: carolsChallenge.challengeId, signature: carolsChallenge.signature }), 422, 'CHALLENGE_MISMATCH');
        // A challenge id the server never issued.
        const forged = `${decision.challengeId.slice(0, -4)}AAAA`;
        expectProblem(await call(suite.server, 'POST', approvePath, alice.token, { verificationCode: code, challengeId: forged, signature: decision.signature }), 422, 'UNKNOWN_CHALLENGE');
      });

      // A sensitive task signed over another statement is an audited refusal: one SensitiveTaskRefused.
      const taskProof = await suite.journey.signed(alice, alice.key!, { purpose: 'SENSITIVE_TASK', browserId: 'b1', task: 'remote-control:device-1' });
      const before = await suite.server.eventStore.headPosition();
      const refused = await call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/sensitive-tasks`, alice.token, {
        browserId: 'b1',
        task: 'remote-control:device-1',
        challengeId: taskProof.challengeId,
        signature: alice.key!.sign(decision.statement),
      });
      expectProblem(refused, 401, 'INVALID_SIGNATURE');
      expect((await suite.server.eventStore.readAll(before, 10)).map((event) => [event.type, event.data.reason])).toEqual([['SensitiveTaskRefused', 'INVALID_SIGNATURE']]);
      // The same challenge used for another task binds something else.
      await expectNothingWritten(suite.server, async () => {
        const moved = await call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/sensitive-tasks`, alice.token, {
          browserId: 'b1',
          task: 'remote-control:device-2',
          challengeId: taskProof.challengeId,
          signature: taskProof.signature,
        });
        expectProblem(moved, 422, 'CHALLENGE_MISMATCH');
      });
    });
  });
});
