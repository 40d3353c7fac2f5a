import { decode } from '../../src/domain/events/decode';
import { organizationDecider } from '../../src/domain/organization/organization.decider';
import { initialOrganizationState, type OrganizationState } from '../../src/domain/organization/organization.state';
import { isApproverRole } from '../../src/domain/shared/roles';
import type { RecordedProof } from '../../src/domain/shared/signed-proof';
import { keyDecider } from '../../src/domain/signature-key/key.decider';
import { signedApproval } from '../../src/domain/signature-key/key.events';
import { initialKeyState, type KeyState } from '../../src/domain/signature-key/key.state';
import { agentStream, orgStream } from '../../src/domain/streams';
import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { call, type Reply } from '../support/api-client';
import { serverForSuite } from '../support/server-for-suite';
import { loggedEvents } from './event-log';

const ROUNDS = 30;
const TASK = 'remote-control:device-42';

/**
 * R17 oracle: replays an org's log in order with the deciders' own evolve, and returns every
 * decision that relied on a fact that no longer held at its position: an approval or rejection
 * by someone who was not an ADMIN/SUPER_ADMIN, or not with their ACTIVE key; a revocation by a
 * non-approver; a task or prompt change not signed by (or remembered for) the agent's ACTIVE key.
 */
function invalidDecisions(events: RecordedEvent[], orgId: string): string[] {
  let org: OrganizationState = initialOrganizationState;
  const keys = new Map<string, KeyState>();
  const keysOf = (agentId: string) => keys.get(agentStream(orgId, agentId)) ?? initialKeyState;
  const invalid: string[] = [];
  const at = (event: RecordedEvent, why: string) => invalid.push(`${event.type} at ${event.position}: ${why}`);
  const approverCheck = (event: RecordedEvent, agentId: string, proof?: RecordedProof) => {
    const role = org.agents.get(agentId)?.role;
    if (!role || !isApproverRole(role)) at(event, `${agentId} is ${role ?? 'not a member'}`);
    if (proof && keysOf(agentId).active?.publicKey !== proof.publicKey) at(event, `${agentId} signed with a key that is not ACTIVE`);
  };
  const keyHolderCheck = (event: RecordedEvent, agentId: string, fingerprint: string) => {
    if (!org.agents.has(agentId)) at(event, `${agentId} is not a member`);
    if (keysOf(agentId).active?.fingerprint !== fingerprint) at(event, `${agentId}'s key ${fingerprint.slice(0, 8)} is not ACTIVE`);
  };
  for (const recorded of events) {
    if (recorded.stream === orgStream(orgId)) {
      org = organizationDecider.evolve(org, decode(recorded, organizationDecider.events));
      continue;
    }
    if (recorded.stream.startsWith(agentStream(orgId, ''))) {
      const event = decode(recorded, keyDecider.events);
      const signed = event.type === 'KeyApproved' ? signedApproval(event.data) : undefined;
      if (signed) approverCheck(recorded, signed.approvedBy, signed.decision);
      if (event.type === 'KeyRejected') approverCheck(recorded, event.data.rejectedBy, event.data.decision);
      if (event.type === 'KeyApprovalAttemptFailed') approverCheck(recorded, event.data.attemptedBy, event.data.decision);
      if (event.type === 'KeyRevoked' && event.data.reasonCode !== 'AGENT_REMOVED') approverCheck(recorded, event.data.revokedBy);
      keys.set(recorded.stream, keyDecider.evolve(keys.get(recorded.stream) ?? initialKeyState, event));
      continue;
    }
    const data = recorded.data as { agentId?: string; keyFingerprint?: string; reason?: string };
    if ((recorded.type === 'SensitiveTaskAuthorized' || recorded.type === 'PromptFrequencyChanged') && data.keyFingerprint) {
      keyHolderCheck(recorded, data.agentId!, data.keyFingerprint);
    }
    // A logout is an agent's own act in their browser: a member's, never an AUDITOR's (R18).
    if (recorded.type === 'PromptFrequencyChanged' && data.reason === 'LOGOUT') {
      const role = org.agents.get(data.agentId!)?.role;
      if (!role || role === 'AUDITOR') at(recorded, `${data.agentId} logged out of a browser as ${role ?? 'no member'}`);
    }
  }
  return invalid;
}

/** Answered: done (2xx), refused for a fact that changed (4xx problem), or 409 after retries; never a 5xx. */
function expectAnswered(reply: Reply): void {
  expect(reply.status).toBeLessThan(500);
}

describe('facts at the point of decision under concurrent changes over HTTP (R17)', () => {
  const suite = serverForSuite();

  it(`records no decision on a fact that changed before its position (${ROUNDS} rounds of demote / revoke / remove against approve / reject / task)`, async () => {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.activeKey(alice, alice);
    const decided: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const admin = await suite.journey.addAgent(alice, `admin-${round}`, 'ADMIN');
      await suite.journey.activeKey(admin, alice);
      const worker = await suite.journey.addAgent(alice, `worker-${round}`);
      await suite.journey.activeKey(worker, alice);
      const member = await suite.journey.addAgent(alice, `member-${round}`);
      const { requestId, verificationCode } = (await suite.journey.requestKey(member)).body;
      const decision = round % 2 === 0 ? 'APPROVE' : 'REJECT';
      const decisionProof = await suite.journey.signed(admin, admin.key!, { purpose: 'KEY_DECISION', requestId, decision });
      const taskProof = await suite.journey.signed(worker, worker.key!, { purpose: 'SENSITIVE_TASK', browserId: 'laptop', task: TASK });
      const frequencyProof = await suite.journey.signed(worker, worker.key!, { purpose: 'PROMPT_FREQUENCY', browserId: 'tablet', frequency: 'DAILY' });

      // The admin's authority and the worker's key are taken away while they use them.
      const takeAdmin: () => Promise<Reply> = [
        () => suite.journey.changeRole(alice, admin.agentId, 'MEMBER'),
        () => suite.journey.revokeKey(alice, admin.agentId),
        () => suite.journey.removeAgent(alice, admin.agentId),
      ][round % 3];
      const takeWorker: () => Promise<Reply> = [
        () => suite.journey.revokeKey(alice, worker.agentId),
        () => suite.journey.removeAgent(alice, worker.agentId),
        () => suite.journey.changeRole(alice, worker.agentId, 'AUDITOR'),
      ][round % 3];
      const decide = () =>
        call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/key-requests/${requestId}/${decision === 'APPROVE' ? 'approve' : 'reject'}`, admin.token, {
          ...(decision === 'APPROVE' ? { verificationCode } : {}),
          challengeId: decisionProof.challengeId,
          signature: decisionProof.signature,
        });
      // Which request leaves first alternates, so that the races run both ways on a fast machine too.
      const [first, second] = round % 2 === 0 ? [decide, takeAdmin] : [takeAdmin, decide];
      const raced = await Promise.all([
        first(),
        second(),
        call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/sensitive-tasks`, worker.token, { browserId: 'laptop', task: TASK, challengeId: taskProof.challengeId, signature: taskProof.signature }),
        call(suite.server, 'PUT', `/v1/orgs/${alice.orgId}/agents/${worker.agentId}/browsers/tablet/prompt-frequency`, worker.token, {
          frequency: 'DAILY',
          challengeId: frequencyProof.challengeId,
          signature: frequencyProof.signature,
        }),
        takeWorker(),
      ]);
      raced.forEach(expectAnswered);
      const decisionReply = round % 2 === 0 ? raced[0] : raced[1];
      if (decisionReply.status === 200) decided.push(requestId);
    }

    const invalid = invalidDecisions(await loggedEvents(suite.server, alice.orgId), alice.orgId);
    expect(invalid).toEqual([]);
    // The races ran both ways: some decisions made it before the change, some did not.
    expect(decided.length).toBeGreaterThan(0);
    expect(decided.length).toBeLessThan(ROUNDS);
  }, 300_000);

  it('records no logout of an agent removed or made an AUDITOR before its position (logouts streamed over the change)', async () => {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.activeKey(alice, alice);
    const logouts: Reply[] = [];
    for (let round = 0; round < 30; round++) {
      // Holding a key, which the change revokes: a write to more streams than the org's.
      const agent = await suite.journey.addAgent(alice, `leaver-${round}`);
      await suite.journey.activeKey(agent, alice);
      let changed = false;
      const change = (async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const reply = await (round % 2 === 0 ? suite.journey.removeAgent(alice, agent.agentId) : suite.journey.changeRole(alice, agent.agentId, 'AUDITOR'));
        changed = true;
        return reply;
      })();
      // Each logout of a browser not yet logged out writes, until the change is answered.
      const sent: Promise<Reply>[] = [];
      for (let index = 0; !changed && index < 200; index++) {
        sent.push(suite.journey.logout(agent, `desk-${index}`));
        await new Promise((resolve) => setImmediate(resolve));
      }
      expectAnswered(await change);
      logouts.push(...(await Promise.all(sent)));
      expect((await suite.journey.logout(agent, 'after')).status).toBe(403);
    }
    logouts.forEach(expectAnswered);
    expect(invalidDecisions(await loggedEvents(suite.server, alice.orgId), alice.orgId)).toEqual([]);
    // Some logouts were recorded before the change.
    expect(logouts.filter((reply) => reply.status === 200).length).toBeGreaterThan(0);
  }, 120_000);
});
