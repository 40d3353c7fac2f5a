import { DEFAULT_ORG_POLICY, type OrgPolicy } from '../../src/domain/organization/org-policy';
import { AuditVerifier } from '../../src/transparency/audit-verifier';
import { CHECKPOINT_SIGNED } from '../../src/transparency/log-checkpointer';
import { parseVerifierKey } from '../../src/transparency/signed-note';
import { call, Journey, type Reply, type TestAgent } from '../support/api-client';
import type { TestKeyPair } from '../support/ed25519-keys';
import { serverForSuite, type SuiteServer } from '../support/server-for-suite';
import { startTestServer } from '../support/test-server';
import { countingConflicts } from './conflict-counter';
import { eventsOfRequest, loggedEvents } from './event-log';
import { expectAccepted, expectNothingWritten, expectProblem } from './expectations';

describe('lifecycle policies over HTTP (R20): signed policy changes and M-of-N approval', () => {
  const shared = serverForSuite();
  /** The suite's server, but for the test that needs one signing checkpoints soon. */
  let suite: SuiteServer = shared;

  /** An org whose SUPER_ADMIN alice holds the first key, and `admins` ADMINs holding keys approved by her. */
  async function org(admins: number, policy?: Partial<OrgPolicy>): Promise<{ alice: TestAgent; approvers: TestAgent[] }> {
    const alice = await suite.journey.createOrg('alice', policy);
    expect((await suite.journey.requestKey(alice)).body.status).toBe('APPROVED');
    const approvers = [alice];
    for (let i = 0; i < admins; i++) {
      const admin = await suite.journey.addAgent(alice, `admin-${i}`, 'ADMIN');
      // Under a threshold above 1 the first admins' keys still go through: the threshold is capped by who can sign.
      await approveFully(admin, approvers);
      approvers.push(admin);
    }
    return { alice, approvers };
  }

  /** Requests a key for `agent` and has `approvers` approve it one after the other until it is ACTIVE. */
  async function approveFully(agent: TestAgent, approvers: TestAgent[]): Promise<void> {
    const requested = (await suite.journey.requestKey(agent)) as Reply & { key: TestKeyPair };
    for (const approver of approvers) {
      const reply = await approve(approver, requested.body.requestId, requested.body.verificationCode);
      expectAccepted(reply);
      if (reply.body.status === 'APPROVED') {
        agent.key = requested.key;
        return;
      }
    }
    throw new Error(`${agent.agentId}'s key was not approved by ${approvers.length} approvers`);
  }

  const approve = (approver: TestAgent, requestId: string, verificationCode: string) => suite.journey.decide(approver, requestId, 'APPROVE', { verificationCode });
  const policyOf = async (agent: TestAgent) => (await call(suite.server, 'GET', `/v1/orgs/${agent.orgId}/policy`, agent.token)).body;
  const pending = async (admin: TestAgent) => (await call(suite.server, 'GET', `/v1/orgs/${admin.orgId}/key-requests?status=PENDING`, admin.token)).body.items;

  describe('policy changes are signed SUPER_ADMIN decisions (item 5)', () => {
    it('shows every member the defaults, and records a SUPER_ADMIN\'s signed change', async () => {
      const { alice } = await org(1);
      const member = await suite.journey.addAgent(alice, 'mia');
      expect(await policyOf(member)).toEqual(DEFAULT_ORG_POLICY);
      const bank = { ...DEFAULT_ORG_POLICY, adminKeyApprovals: 2, pendingRequestExpiryHours: 72 };
      const reply = await suite.journey.setPolicy(alice, bank);
      expectAccepted(reply);
      expect(reply.body).toMatchObject({ policy: bank, changed: true });
      expect(await policyOf(member)).toEqual(bank);
      expect((await call(suite.server, 'GET', `/v1/orgs/${alice.orgId}`, member.token)).body.policy).toEqual(bank);
      const [changed] = (await loggedEvents(suite.server, alice.orgId)).filter((event) => event.type === 'OrgPolicyChanged');
      expect(changed.data).toMatchObject({ policy: bank, previous: DEFAULT_ORG_POLICY, changedBy: 'alice', decision: { publicKey: alice.key!.publicKey } });
      // The same policy again is no change: nothing is written.
      const again = await expectNothingWritten(suite.server, () => suite.journey.setPolicy(alice, bank));
      expect({ status: again.status, body: again.body }).toEqual({ status: 200, body: { policy: bank, changed: false } });
    });

    it('gives the policy version as an ETag, and refuses a change based on a version another change followed (If-Match, 412)', async () => {
      const { alice } = await org(0);
      const zoe = await suite.journey.addAgent(alice, 'zoe', 'SUPER_ADMIN');
      await approveFully(zoe, [alice]);
      const etagOf = async (agent: TestAgent) => (await fetch(`${suite.server.url}/v1/orgs/${agent.orgId}/policy`, { headers: { authorization: `Bearer ${agent.token}` } })).headers.get('etag');
      expect([await etagOf(alice), await etagOf(zoe)]).toEqual(['"1"', '"1"']);
      // Both read version 1; alice tightens approvals, then zoe, from what she read, lengthens the recovery delay.
      const bank = { ...DEFAULT_ORG_POLICY, adminKeyApprovals: 2 };
      expectAccepted(await suite.journey.setPolicy(alice, bank, alice.key!, { 'if-match': '"1"' }));
      expect(await etagOf(zoe)).toBe('"2"');
      const zoes = { ...DEFAULT_ORG_POLICY, recoveryDelayHours: 96 };
      await expectNothingWritten(suite.server, async () => {
        const stale = await suite.journey.setPolicy(zoe, zoes, zoe.key!, { 'if-match': '"1"' });
        expectProblem(stale, 412, 'POLICY_CHANGED');
        expect(stale.body.policyVersion).toBe(2);
        for (const malformed of ['W/"2"', '"two"', '"1", "2"', '2']) expectProblem(await suite.journey.setPolicy(zoe, zoes, zoe.key!, { 'if-match': malformed }), 400, 'INVALID_IF_MATCH');
        // A version the policy never had: refused alike, but not said to be one another change followed (found by the lifecycle probe).
        const unknown = await suite.journey.setPolicy(zoe, zoes, zoe.key!, { 'if-match': '"7"' });
        expectProblem(unknown, 412, 'POLICY_CHANGED');
        expect({ detail: unknown.body.detail, policyVersion: unknown.body.policyVersion }).toEqual({ detail: expect.stringMatching(/^The policy has had no version 7: it is version 2\./), policyVersion: 2 });
        // alice's change signed again on the version she read: already in effect, so done.
        const retried = await suite.journey.setPolicy(alice, bank, alice.key!, { 'if-match': '"1"' });
        expect({ status: retried.status, changed: retried.body.changed }).toEqual({ status: 200, changed: false });
      });
      expect(await policyOf(zoe)).toEqual(bank);
      // Read again, zoe keeps alice's field.
      expectAccepted(await suite.journey.setPolicy(zoe, { ...bank, recoveryDelayHours: 96 }, zoe.key!, { 'if-match': '"2"' }));
      expect([await etagOf(alice), (await policyOf(alice)).adminKeyApprovals]).toEqual(['"3"', 2]);
    });

    it('is refused to an ADMIN, to a SUPER_ADMIN without an ACTIVE key, and for a policy the challenge does not bind', async () => {
      const { alice, approvers } = await org(1);
      const admin = approvers[1];
      expectProblem(await suite.journey.challenge(admin, { purpose: 'ORG_POLICY', ...DEFAULT_ORG_POLICY, memberKeyApprovals: 2 }), 403, 'NOT_SUPER_ADMIN');
      const zoe = await suite.journey.addAgent(alice, 'zoe', 'SUPER_ADMIN');
      // Zoe is a SUPER_ADMIN with no key: whatever she signs with, the decision has no ACTIVE key to check it against.
      const proof = await suite.journey.signed(zoe, alice.key!, { purpose: 'ORG_POLICY', ...DEFAULT_ORG_POLICY, memberKeyApprovals: 2 });
      await expectNothingWritten(suite.server, async () => {
        const reply = await call(suite.server, 'PUT', `/v1/orgs/${alice.orgId}/policy`, zoe.token, { policy: { ...DEFAULT_ORG_POLICY, memberKeyApprovals: 2 }, challengeId: proof.challengeId, signature: proof.signature });
        expectProblem(reply, 403, 'NO_ACTIVE_KEY');
        const other = await suite.journey.signed(alice, alice.key!, { purpose: 'ORG_POLICY', ...DEFAULT_ORG_POLICY, memberKeyApprovals: 2 });
        const mismatch = await call(suite.server, 'PUT', `/v1/orgs/${alice.orgId}/policy`, alice.token, {
          policy: { ...DEFAULT_ORG_POLICY, memberKeyApprovals: 3 },
          challengeId: other.challengeId,
          signature: other.signature,
        });
        expectProblem(mismatch, 422, 'CHALLENGE_MISMATCH');
      });
    });

    it('refuses a policy out of its bounds (400, naming the field) or a reminder not before the expiry (422)', async () => {
      const { alice } = await org(0);
      await expectNothingWritten(suite.server, async () => {
        const proof = await suite.journey.signed(alice, alice.key!, { purpose: 'ORG_POLICY', ...DEFAULT_ORG_POLICY });
        const reply = await call(suite.server, 'PUT', `/v1/orgs/${alice.orgId}/policy`, alice.token, {
          policy: { ...DEFAULT_ORG_POLICY, adminKeyApprovals: 0, recoveryDelayHours: 1 },
          challengeId: proof.challengeId,
          signature: proof.signature,
        });
        expectProblem(reply, 400, 'INVALID_INPUT');
        expect(reply.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['policy.adminKeyApprovals', 'policy.recoveryDelayHours']);
        expectProblem(await suite.journey.challenge(alice, { purpose: 'ORG_POLICY', ...DEFAULT_ORG_POLICY, memberKeyApprovals: 11 }), 400, 'INVALID_INPUT');
        // No challenge to sign for a policy that cannot be set: the signer learns it before signing, not after.
        const unsettable = await suite.journey.challenge(alice, { purpose: 'ORG_POLICY', ...DEFAULT_ORG_POLICY, pendingRequestExpiryHours: 24, reminderAfterHours: 24 });
        expectProblem(unsettable, 422, 'INVALID_POLICY');
        expect(unsettable.body.problems).toEqual([expect.objectContaining({ field: 'reminderAfterHours' })]);
        const signedValid = await suite.journey.signed(alice, alice.key!, { purpose: 'ORG_POLICY', ...DEFAULT_ORG_POLICY, pendingRequestExpiryHours: 72 });
        const put = await call(suite.server, 'PUT', `/v1/orgs/${alice.orgId}/policy`, alice.token, {
          policy: { ...DEFAULT_ORG_POLICY, pendingRequestExpiryHours: 24, reminderAfterHours: 24 },
          challengeId: signedValid.challengeId,
          signature: signedValid.signature,
        });
        expectProblem(put, 422, 'INVALID_POLICY');
        const created = await call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, {
          name: 'Typo',
          superAdmin: { agentId: 'ann', email: 'ann@example.com', displayName: 'Ann' },
          policy: { memberKeyApprovals: 99 },
        });
        expectProblem(created, 400, 'INVALID_INPUT');
      });
    });
  });

  describe('M-of-N approval (item 3)', () => {
    it('keeps a request PENDING until the threshold of distinct approvers is met, and shows who approved', async () => {
      const { alice, approvers } = await org(2);
      expectAccepted(await suite.journey.setPolicy(alice, { ...DEFAULT_ORG_POLICY, memberKeyApprovals: 2 }));
      const carol = await suite.journey.addAgent(alice, 'carol');
      const { requestId, verificationCode } = (await suite.journey.requestKey(carol)).body;

      const first = await approve(approvers[1], requestId, verificationCode);
      expectAccepted(first);
      expect(first.body).toMatchObject({ status: 'PENDING', approvals: ['admin-0'], approvalsRequired: 2 });
      const listed = await call(suite.server, 'GET', `/v1/orgs/${alice.orgId}/key-requests`, alice.token, undefined, { 'x-min-position': first.body.position });
      expect(listed.body.items).toEqual([expect.objectContaining({ requestId, approvals: ['admin-0'], approvalsRequired: 2 })]);
      expect((await suite.journey.getKeyRequest(carol, requestId)).body).toMatchObject({ status: 'PENDING', approvals: ['admin-0'] });

      await expectNothingWritten(suite.server, async () => expectProblem(await approve(approvers[1], requestId, verificationCode), 409, 'ALREADY_APPROVED'));
      const second = await approve(alice, requestId, verificationCode);
      expect(second.body).toMatchObject({ status: 'APPROVED', mode: 'APPROVAL' });
      const events = eventsOfRequest(await loggedEvents(suite.server, alice.orgId), requestId, 'KeyApprovalRecorded', 'KeyApproved');
      expect(events.map((event) => [event.type, event.data.approvedBy])).toEqual([
        ['KeyApprovalRecorded', 'admin-0'],
        ['KeyApproved', 'alice'],
      ]);
      // Once decided, the request names who had approved it: the approver who activated it too.
      expect((await suite.journey.getKeyRequest(carol, requestId)).body).toMatchObject({ status: 'APPROVED', approvals: ['admin-0', 'alice'], approvalsRequired: null });
      // With one approval required, the one approver.
      const dave = await suite.journey.addAgent(alice, 'dave', 'ADMIN');
      const daves = (await suite.journey.requestKey(dave)).body;
      expect((await approve(alice, daves.requestId, daves.verificationCode)).body).toMatchObject({ status: 'APPROVED' });
      expect((await suite.journey.getKeyRequest(alice, daves.requestId)).body).toMatchObject({ status: 'APPROVED', approvals: ['alice'] });
    });

    it('applies a tightened threshold to a request already pending, and one rejection ends it', async () => {
      const { alice, approvers } = await org(3);
      const carol = await suite.journey.addAgent(alice, 'carol');
      const { requestId, verificationCode } = (await suite.journey.requestKey(carol)).body;
      expectAccepted(await suite.journey.setPolicy(alice, { ...DEFAULT_ORG_POLICY, memberKeyApprovals: 3 }));
      expect((await approve(approvers[1], requestId, verificationCode)).body).toMatchObject({ status: 'PENDING', approvalsRequired: 3 });
      expect((await approve(approvers[2], requestId, verificationCode)).body).toMatchObject({ status: 'PENDING', approvals: ['admin-0', 'admin-1'] });
      expectAccepted(await suite.journey.decide(approvers[3], requestId, 'REJECT'));
      expectProblem(await approve(alice, requestId, verificationCode), 409, 'REQUEST_NOT_PENDING');
      expect(await pending(alice)).toEqual([]);
    });

    it('never locks an org out: the threshold is capped by the approvers who can sign, and R8 rotation still works', async () => {
      const { alice, approvers } = await org(1, { adminKeyApprovals: 3, memberKeyApprovals: 3 });
      const admin = approvers[1];
      // Besides alice only admin-0 can sign: her new key needs his approval alone.
      const rotated = (await suite.journey.requestKey(alice)) as Reply & { key: TestKeyPair };
      expect((await approve(admin, rotated.body.requestId, rotated.body.verificationCode)).body).toMatchObject({ status: 'APPROVED', mode: 'APPROVAL' });
      alice.key = rotated.key;
      // With admin-0's key revoked, alice is the sole approver with an ACTIVE key: she rotates her own.
      expectAccepted(await suite.journey.revokeKey(alice, 'admin-0'));
      const own = (await suite.journey.requestKey(alice)) as Reply & { key: TestKeyPair };
      expect((await approve(alice, own.body.requestId, own.body.verificationCode)).body).toMatchObject({ status: 'APPROVED', mode: 'ROTATION' });
    });

    it('shows in the pending list the threshold the next approval is measured against, capped as the approval caps it', async () => {
      const { alice, approvers } = await org(1, { memberKeyApprovals: 3, adminKeyApprovals: 3 });
      const carol = await suite.journey.addAgent(alice, 'carol');
      const { requestId, verificationCode } = (await suite.journey.requestKey(carol)).body;
      // admin-0 asks to replace his key: he does not count among his own approvers.
      const replacement = (await suite.journey.requestKey(approvers[1])).body;
      const required = async (at: string) =>
        Object.fromEntries(
          (await call(suite.server, 'GET', `/v1/orgs/${alice.orgId}/key-requests`, alice.token, undefined, { 'x-min-position': at })).body.items.map(
            (item: { agentId: string; approvalsRequired: number }) => [item.agentId, item.approvalsRequired],
          ),
        );
      // Only alice and admin-0 can sign: two approvals activate carol's key, as the approval answers; alice's alone admin-0's.
      expect(await required(replacement.position)).toEqual({ carol: 2, 'admin-0': 1 });
      const first = await approve(alice, requestId, verificationCode);
      expect(first.body).toMatchObject({ status: 'PENDING', approvals: ['alice'], approvalsRequired: 2 });
      expect(await required(first.body.position)).toEqual({ carol: 2, 'admin-0': 1 });
      // With admin-0's key revoked, alice's approval again is the last one carol's key needs: the list must not say one of three.
      const revoked = await suite.journey.revokeKey(alice, 'admin-0');
      expect(await required(revoked.body.position)).toEqual({ carol: 1, 'admin-0': 1 });
      expect((await approve(alice, requestId, verificationCode)).body).toMatchObject({ status: 'APPROVED' });
    });

    it('shows only the approvals that still count: not one whose key was revoked since, nor one of an approver demoted since', async () => {
      const { alice, approvers } = await org(3, { memberKeyApprovals: 3 });
      const [, stolen, demoted] = approvers;
      const carol = await suite.journey.addAgent(alice, 'carol');
      const { requestId, verificationCode } = (await suite.journey.requestKey(carol)).body;
      await approve(stolen, requestId, verificationCode);
      expect((await approve(demoted, requestId, verificationCode)).body).toMatchObject({ status: 'PENDING', approvals: ['admin-0', 'admin-1'] });
      await suite.journey.revokeKey(alice, 'admin-0', 'Key stolen');
      const changed = await suite.journey.changeRole(alice, 'admin-1', 'MEMBER');
      // Two approvers besides carol hold keys (alice, admin-2) and neither approved: the list must not say 2/2.
      const [listed] = (await call(suite.server, 'GET', `/v1/orgs/${alice.orgId}/key-requests`, alice.token, undefined, { 'x-min-position': changed.body.position })).body.items;
      expect(listed).toMatchObject({ requestId, approvals: [], approvalsRequired: 2 });
      expect((await suite.journey.getKeyRequest(carol, requestId)).body).toMatchObject({ status: 'PENDING', approvals: [] });
      expect((await approve(alice, requestId, verificationCode)).body).toMatchObject({ status: 'PENDING', approvals: ['alice'], approvalsRequired: 2 });
    });

    it('stops counting an approval once the key that signed it is revoked, and counts the approver again with their new key', async () => {
      const { alice, approvers } = await org(2, { memberKeyApprovals: 2 });
      const [, stolen, admin1] = approvers;
      const carol = await suite.journey.addAgent(alice, 'carol');
      const { requestId, verificationCode } = (await suite.journey.requestKey(carol)).body;
      // admin-0's key signs an approval, and is revoked as stolen: that approval no longer vouches for carol's key.
      expect((await approve(stolen, requestId, verificationCode)).body).toMatchObject({ status: 'PENDING', approvals: ['admin-0'] });
      expectAccepted(await suite.journey.revokeKey(alice, 'admin-0', 'Key stolen'));
      const second = await approve(admin1, requestId, verificationCode);
      expectAccepted(second);
      expect(second.body).toMatchObject({ status: 'PENDING', approvals: ['admin-1'], approvalsRequired: 2 });
      // With a new key, admin-0 vouches again.
      await approveFully(stolen, [alice]);
      expect((await approve(stolen, requestId, verificationCode)).body).toMatchObject({ status: 'APPROVED', mode: 'APPROVAL' });
      const events = eventsOfRequest(await loggedEvents(suite.server, alice.orgId), requestId, 'KeyApprovalRecorded', 'KeyApproved');
      expect(events.map((event) => [event.type, event.data.approvedBy])).toEqual([
        ['KeyApprovalRecorded', 'admin-0'],
        ['KeyApprovalRecorded', 'admin-1'],
        ['KeyApproved', 'admin-0'],
      ]);
    });

    it('counts parallel approvals of distinct approvers once each and never past the threshold', async () => {
      const { alice, approvers } = await org(4, { memberKeyApprovals: 3 });
      let conflicts = 0;
      for (let round = 0; round < 4; round++) {
        const member = await suite.journey.addAgent(alice, `member-${round}`);
        const { requestId, verificationCode } = (await suite.journey.requestKey(member)).body;
        // Challenges first, so the five approvals themselves hit the server together.
        const proofs = await Promise.all(approvers.map((approver) => suite.journey.signed(approver, approver.key!, { purpose: 'KEY_DECISION', requestId, decision: 'APPROVE' })));
        const path = `/v1/orgs/${alice.orgId}/key-requests/${requestId}/approve`;
        const raced = await countingConflicts(suite.server, () =>
          Promise.all(approvers.map((approver, i) => call(suite.server, 'POST', path, approver.token, { verificationCode, challengeId: proofs[i].challengeId, signature: proofs[i].signature }))),
        );
        conflicts += raced.conflicts;
        const outcomes = raced.result.map((reply) => (reply.status === 200 ? reply.body.status : `${reply.status} ${reply.body.code}`)).sort();
        expect(outcomes).toEqual(['409 REQUEST_NOT_PENDING', '409 REQUEST_NOT_PENDING', 'APPROVED', 'PENDING', 'PENDING']);
        const events = eventsOfRequest(await loggedEvents(suite.server, alice.orgId), requestId, 'KeyApprovalRecorded', 'KeyApproved');
        expect(events.map((event) => event.type)).toEqual(['KeyApprovalRecorded', 'KeyApprovalRecorded', 'KeyApproved']);
        const approvedBy = events.map((event) => event.data.approvedBy);
        expect(new Set(approvedBy).size).toBe(3);
        expect(events[1].data.approvals).toEqual(approvedBy.slice(0, 2));
      }
      // The race was real: appends were refused for a stale revision and decided again.
      expect(conflicts).toBeGreaterThan(0);
    });

    it('counts the same approver once when their two approvals race', async () => {
      const { alice, approvers } = await org(2, { memberKeyApprovals: 2 });
      const admin = approvers[1];
      for (let round = 0; round < 3; round++) {
        const member = await suite.journey.addAgent(alice, `twice-${round}`);
        const { requestId, verificationCode } = (await suite.journey.requestKey(member)).body;
        const proofs = await Promise.all([0, 1].map(() => suite.journey.signed(admin, admin.key!, { purpose: 'KEY_DECISION', requestId, decision: 'APPROVE' })));
        const path = `/v1/orgs/${alice.orgId}/key-requests/${requestId}/approve`;
        const replies = await Promise.all(proofs.map((proof) => call(suite.server, 'POST', path, admin.token, { verificationCode, challengeId: proof.challengeId, signature: proof.signature })));
        const outcomes = replies.map((reply) => (reply.status === 200 ? reply.body.status : `${reply.status} ${reply.body.code}`)).sort();
        expect(outcomes).toEqual(['409 ALREADY_APPROVED', 'PENDING']);
        const events = eventsOfRequest(await loggedEvents(suite.server, alice.orgId), requestId, 'KeyApprovalRecorded', 'KeyApproved');
        expect(events.map((event) => [event.type, event.data.approvals])).toEqual([['KeyApprovalRecorded', ['admin-0']]]);
      }
    });

    it("makes no ADMIN of a MEMBER holding a key approved under the member threshold: promotion is refused until that key is revoked (found by the insider probe)", async () => {
      const { alice, approvers } = await org(2, { memberKeyApprovals: 1, adminKeyApprovals: 2 });
      const carol = await suite.journey.addAgent(alice, 'carol');
      const { requestId, verificationCode } = (await suite.journey.requestKey(carol)).body;
      expect((await approve(approvers[1], requestId, verificationCode)).body).toMatchObject({ status: 'APPROVED' });
      // One approval made carol's key; as an ADMIN it would approve, where the policy asks two.
      await expectNothingWritten(suite.server, async () => expectProblem(await suite.journey.changeRole(alice, 'carol', 'ADMIN'), 409, 'KEY_BELOW_ADMIN_THRESHOLD'));
      expectProblem(await suite.journey.changeRole(alice, 'carol', 'SUPER_ADMIN'), 409, 'KEY_BELOW_ADMIN_THRESHOLD');
      expectAccepted(await suite.journey.revokeKey(alice, 'carol', 'Promoted: needs a key approved as an ADMIN'));
      expectAccepted(await suite.journey.changeRole(alice, 'carol', 'ADMIN'));
      const again = (await suite.journey.requestKey(carol)).body;
      expect((await approve(approvers[1], again.requestId, again.verificationCode)).body).toMatchObject({ status: 'PENDING', approvalsRequired: 2 });
    });

    it("makes no ADMIN of a MEMBER whose key one approver let through once the members' threshold is raised to the admins' (a tightening, mailed to nobody): judged on the approvals the key had (found by the lifecycle audit)", async () => {
      const { alice, approvers } = await org(2, { memberKeyApprovals: 1, adminKeyApprovals: 2 });
      const carol = await suite.journey.addAgent(alice, 'carol');
      const { requestId, verificationCode } = (await suite.journey.requestKey(carol)).body;
      expect((await approve(approvers[1], requestId, verificationCode)).body).toMatchObject({ status: 'APPROVED' });
      expectAccepted(await suite.journey.setPolicy(alice, { ...DEFAULT_ORG_POLICY, memberKeyApprovals: 2, adminKeyApprovals: 2 }));
      // It was 200: carol, an ADMIN on one approval's key, then approved keys with alice.
      const refused = await expectNothingWritten(suite.server, () => suite.journey.changeRole(alice, 'carol', 'ADMIN'));
      expectProblem(refused, 409, 'KEY_BELOW_ADMIN_THRESHOLD');
      expect(refused.body.detail).toMatch(/^The agent's ACTIVE key was activated by 1 approval\(s\), and this organization asks 2 for the key of a ADMIN/);
      // A key two approvers activated is an ADMIN's key: its MEMBER may be promoted.
      const dave = await suite.journey.addAgent(alice, 'dave');
      const daves = (await suite.journey.requestKey(dave)).body;
      expect((await approve(approvers[1], daves.requestId, daves.verificationCode)).body).toMatchObject({ status: 'PENDING' });
      expect((await approve(approvers[0], daves.requestId, daves.verificationCode)).body).toMatchObject({ status: 'APPROVED' });
      expectAccepted(await suite.journey.changeRole(alice, 'dave', 'ADMIN'));
    });

    it('never leaves an ADMIN holding a key of one approval when the promotion races the approval (found by the insider probe)', async () => {
      const { alice, approvers } = await org(2, { memberKeyApprovals: 1, adminKeyApprovals: 2 });
      for (let round = 0; round < 6; round++) {
        const member = await suite.journey.addAgent(alice, `raced-${round}`);
        const { requestId, verificationCode } = (await suite.journey.requestKey(member)).body;
        const proof = await suite.journey.signed(approvers[1], approvers[1].key!, { purpose: 'KEY_DECISION', requestId, decision: 'APPROVE' });
        const path = `/v1/orgs/${alice.orgId}/key-requests/${requestId}/approve`;
        const [approval, promotion] = await Promise.all([
          call(suite.server, 'POST', path, approvers[1].token, { verificationCode, challengeId: proof.challengeId, signature: proof.signature }),
          suite.journey.changeRole(alice, member.agentId, 'ADMIN'),
        ]);
        const outcome = [approval.body.status, promotion.status === 200 ? 'PROMOTED' : promotion.body.code];
        // Either the approval came first and the promotion is refused, or the promotion did and the approval is measured against 2.
        expect([['APPROVED', 'KEY_BELOW_ADMIN_THRESHOLD'], ['PENDING', 'PROMOTED']]).toContainEqual(outcome);
      }
    });

    it('leaves an export the offline verifier accepts, policy changes and partial approvals included', async () => {
      // A server that signs checkpoints soon, so that one covers the whole history.
      const checkpointed = await startTestServer({ LOG_CHECKPOINT_DELAY_MS: '50' });
      suite = { server: checkpointed, journey: new Journey(checkpointed) };
      try {
      const { alice, approvers } = await org(2);
      expectAccepted(await suite.journey.setPolicy(alice, { ...DEFAULT_ORG_POLICY, memberKeyApprovals: 2 }));
      const carol = await suite.journey.addAgent(alice, 'carol');
      const { requestId, verificationCode } = (await suite.journey.requestKey(carol)).body;
      expect((await approve(approvers[1], requestId, verificationCode)).body.status).toBe('PENDING');
      expect((await approve(approvers[2], requestId, verificationCode)).body.status).toBe('APPROVED');
      const vkey = (await call(suite.server, 'GET', '/v1/log-key')).body as string;
      const lines = await completeExport(alice);
      const verify = (exported: string[]) => {
        const verifier = new AuditVerifier({ logKey: parseVerifierKey(vkey) });
        for (const line of exported) verifier.push(line);
        return verifier.finish();
      };
      const verdict = verify(lines);
      expect(verdict.failure).toBeUndefined();
      expect(verdict.ok).toBe(true);
      const chains = Object.fromEntries(verdict.orgs[0].activeKeys.map((key) => [key.agentId, key.chain.map((link) => `${link.agentId}:${link.mode}`)]));
      expect(chains.carol).toEqual(['carol:APPROVAL', 'admin-1:APPROVAL', 'alice:FIRST_KEY']);
      } finally {
        suite = shared;
        await checkpointed.close();
      }
    });
  });

  /** The org's export once a checkpoint covers every event. */
  async function completeExport(admin: TestAgent): Promise<string[]> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const reply = await call(suite.server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/export`, admin.token);
      const lines = String(reply.body).trim().split('\n');
      const parsed = lines.map((line) => JSON.parse(line) as { type: string; data: { size?: number } });
      const last = parsed.at(-1)!;
      if (last.type === CHECKPOINT_SIGNED && last.data.size === parsed.filter((line) => line.type !== CHECKPOINT_SIGNED).length) return lines;
      if (Date.now() > deadline) throw new Error('no checkpoint of the whole log');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
});
