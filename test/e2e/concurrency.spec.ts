import { fold } from '../../src/domain/shared/decider';
import { organizationDecider } from '../../src/domain/organization/organization.decider';
import type { OrganizationEvent } from '../../src/domain/organization/organization.events';
import { orgStream } from '../../src/domain/streams';
import type { Role } from '../../src/domain/shared/roles';
import { call, type Reply, type TestAgent } from '../support/api-client';
import { generateKeyPair } from '../support/ed25519-keys';
import { serverForSuite } from '../support/server-for-suite';
import { eventsOfRequest, loggedEvents } from './event-log';
import { countingConflicts } from './conflict-counter';
import { expectProblem } from './expectations';

/** Conflicts are retried by the handler or answered 409: never a 5xx, never anything else. */
function expectWonOrConflict(reply: Reply, won: number): void {
  if (reply.status === won) return;
  expectProblem(reply, 409);
}

describe('invariants under concurrent commands over HTTP', () => {
  const suite = serverForSuite();

  /** The org directory as its stream says now. */
  async function directory(orgId: string) {
    const events = await suite.server.eventStore.readStream(orgStream(orgId));
    return fold(organizationDecider, events.map((event) => ({ type: event.type, data: event.data }) as OrganizationEvent));
  }

  it('grants exactly one FIRST_KEY to 50 admins requesting their first key at once (R4)', async () => {
    const owner = await suite.journey.createOrg('owner');
    const admins: TestAgent[] = [];
    for (let i = 0; i < 50; i++) admins.push(await suite.journey.addAgent(owner, `admin-${i}`, 'ADMIN'));
    // Challenges first, so the 50 key requests themselves hit the server together.
    const bodies = await suite.journey.keyRequestBodies(admins);
    const { result: replies, conflicts } = await countingConflicts(suite.server, () =>
      Promise.all(admins.map((admin, i) => call(suite.server, 'POST', `/v1/orgs/${owner.orgId}/key-requests`, admin.token, bodies[i]))),
    );
    // The race was real: the losers' first-key appends were refused by the org stream's revision.
    expect(conflicts).toBeGreaterThan(0);

    expect(replies.map((reply) => reply.status)).toEqual(replies.map(() => 201));
    const statuses = replies.map((reply) => reply.body.status).sort();
    expect(statuses).toEqual(['APPROVED', ...Array(49).fill('PENDING')]);

    const events = await loggedEvents(suite.server, owner.orgId);
    const firstKeys = events.filter((event) => event.type === 'KeyApproved' && event.data.mode === 'FIRST_KEY');
    const assigned = events.filter((event) => event.type === 'FirstKeyAssigned');
    expect(firstKeys).toHaveLength(1);
    expect(assigned).toHaveLength(1);
    expect(events.filter((event) => event.type === 'KeyRequested')).toHaveLength(50);
    const winner = replies.find((reply) => reply.body.status === 'APPROVED')!;
    expect(firstKeys[0].data.requestId).toBe(winner.body.requestId);
    expect(assigned[0].data.requestId).toBe(winner.body.requestId);
  });

  it('records exactly one decision when two admins approve and reject the same request at once (R6)', async () => {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.requestKey(alice);
    const carol = await suite.journey.addAgent(alice, 'carol', 'ADMIN');
    await suite.journey.activeKey(carol, alice);

    // Two requests do not always overlap inside the server; the crowd test below makes sure they do.
    for (let round = 0; round < 6; round++) {
      const member = await suite.journey.addAgent(alice, `member-${round}`);
      const request = await suite.journey.requestKey(member);
      const { requestId, verificationCode } = request.body;
      // Alternate who approves, and once in a while let both approve.
      const [approver, other] = round % 2 === 0 ? [alice, carol] : [carol, alice];
      const otherDecision = round % 3 === 2 ? 'APPROVE' : 'REJECT';
      const approveProof = await suite.journey.signed(approver, approver.key!, { purpose: 'KEY_DECISION', requestId, decision: 'APPROVE' });
      const otherProof = await suite.journey.signed(other, other.key!, { purpose: 'KEY_DECISION', requestId, decision: otherDecision });
      const path = `/v1/orgs/${alice.orgId}/key-requests/${requestId}`;

      const replies = await Promise.all([
        call(suite.server, 'POST', `${path}/approve`, approver.token, { verificationCode, challengeId: approveProof.challengeId, signature: approveProof.signature }),
        call(suite.server, 'POST', `${path}/${otherDecision === 'APPROVE' ? 'approve' : 'reject'}`, other.token, {
          ...(otherDecision === 'APPROVE' ? { verificationCode } : {}),
          challengeId: otherProof.challengeId,
          signature: otherProof.signature,
        }),
      ]);

      for (const reply of replies) expectWonOrConflict(reply, 200);
      expect(replies.map((reply) => reply.status).sort()).toEqual([200, 409]);
      const decisions = eventsOfRequest(await loggedEvents(suite.server, alice.orgId), requestId, 'KeyApproved', 'KeyRejected');
      expect(decisions).toHaveLength(1);
      const winner = replies.find((reply) => reply.status === 200)!;
      expect(decisions[0].type).toBe(winner.body.status === 'APPROVED' ? 'KeyApproved' : 'KeyRejected');
      expect((await suite.journey.getKeyRequest(alice, requestId)).body.status).toBe(winner.body.status);
    }
  });

  it('records exactly one decision when 10 admins decide on the same request at once (R6)', async () => {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.requestKey(alice);
    const admins = [alice];
    for (let i = 0; i < 9; i++) {
      const admin = await suite.journey.addAgent(alice, `admin-${i}`, 'ADMIN');
      await suite.journey.activeKey(admin, alice);
      admins.push(admin);
    }
    let raced = 0;
    for (let round = 0; round < 3; round++) {
      const member = await suite.journey.addAgent(alice, `crowd-${round}`);
      const { requestId, verificationCode } = (await suite.journey.requestKey(member)).body;
      const decisions = admins.map((_, i) => (i % 2 === 0 ? 'APPROVE' : 'REJECT'));
      const proofs = await Promise.all(admins.map((admin, i) => suite.journey.signed(admin, admin.key!, { purpose: 'KEY_DECISION', requestId, decision: decisions[i] })));
      const { result: replies, conflicts } = await countingConflicts(suite.server, () =>
        Promise.all(
          admins.map((admin, i) =>
            call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/key-requests/${requestId}/${decisions[i] === 'APPROVE' ? 'approve' : 'reject'}`, admin.token, {
              ...(decisions[i] === 'APPROVE' ? { verificationCode } : {}),
              challengeId: proofs[i].challengeId,
              signature: proofs[i].signature,
            }),
          ),
        ),
      );
      raced += conflicts;
      replies.forEach((reply) => expectWonOrConflict(reply, 200));
      expect(replies.filter((reply) => reply.status === 200)).toHaveLength(1);
      expect(eventsOfRequest(await loggedEvents(suite.server, alice.orgId), requestId, 'KeyApproved', 'KeyRejected')).toHaveLength(1);
    }
    expect(raced).toBeGreaterThan(0);
  });

  it('adds 100 agents sent at once to one org, each answered 201: the conflicts are retried, none reaches a client (R1)', async () => {
    const owner = await suite.journey.createOrg('owner');
    const ids = Array.from({ length: 100 }, (_, i) => `burst-${i}`);
    const { result: replies, conflicts } = await countingConflicts(suite.server, () =>
      Promise.all(ids.map((agentId) => call(suite.server, 'POST', `/v1/orgs/${owner.orgId}/agents`, owner.token, { agentId, email: `${agentId}@example.com`, displayName: agentId, role: 'MEMBER' }))),
    );
    expect(conflicts).toBeGreaterThan(0);
    expect(replies.map((reply) => reply.status)).toEqual(ids.map(() => 201));
    const state = await directory(owner.orgId);
    for (const id of ids) expect(state.agents.get(id)?.role).toBe('MEMBER');
  });

  it('loses no role change when 20 agents change role at once, while agents are added (R1)', async () => {
    const owner = await suite.journey.createOrg('owner');
    const roles: Role[] = ['ADMIN', 'AUDITOR', 'SUPER_ADMIN', 'MEMBER'];
    const ids = Array.from({ length: 20 }, (_, i) => `agent-${i}`);
    for (const id of ids) await suite.journey.addAgent(owner, id, 'MEMBER');
    const wanted = new Map(ids.map((id, i) => [id, roles[i % roles.length]]));

    const changes = Promise.all(ids.map((id) => suite.journey.changeRole(owner, id, wanted.get(id)!)));
    const additions = Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        call(suite.server, 'POST', `/v1/orgs/${owner.orgId}/agents`, owner.token, { agentId: `late-${i}`, email: `late-${i}@example.com`, displayName: `Late ${i}`, role: 'ADMIN' }),
      ),
    );
    const { result: [replies, added], conflicts } = await countingConflicts(suite.server, () => Promise.all([changes, additions]));
    expect(conflicts).toBeGreaterThan(0);

    replies.forEach((reply) => expectWonOrConflict(reply, 200));
    added.forEach((reply) => expectWonOrConflict(reply, 201));
    const state = await directory(owner.orgId);
    const refusedIds = ids.filter((_, i) => replies[i].status === 409);
    for (const [i, id] of ids.entries()) {
      const expected = replies[i].status === 200 ? wanted.get(id) : 'MEMBER';
      expect({ id, role: state.agents.get(id)?.role }).toEqual({ id, role: expected });
    }
    // Each answered change is one event; the refused ones wrote nothing.
    const changed = (await loggedEvents(suite.server, owner.orgId)).filter((event) => event.type === 'AgentRoleChanged');
    expect(changed.map((event) => event.data.agentId).sort()).toEqual(ids.filter((id) => !refusedIds.includes(id) && wanted.get(id) !== 'MEMBER').sort());
    for (const [i, reply] of added.entries()) expect(state.agents.has(`late-${i}`)).toBe(reply.status === 201);

    // A refused change applies when tried again.
    for (const id of refusedIds) expect((await suite.journey.changeRole(owner, id, wanted.get(id)!)).status).toBe(200);
    const final = await directory(owner.orgId);
    for (const id of ids) expect({ id, role: final.agents.get(id)?.role }).toEqual({ id, role: wanted.get(id) });
  });

  it('keeps a SUPER_ADMIN when the last two demote or remove each other, or demote themselves, at once (R1)', async () => {
    // The loser is refused as the directory the winner left has them: demoted, removed (no member), or the last SUPER_ADMIN.
    const races: [string, (alice: TestAgent, carol: TestAgent) => Promise<Reply>[], string[]][] = [
      ['demote each other', (alice, carol) => [suite.journey.changeRole(alice, 'carol', 'ADMIN'), suite.journey.changeRole(carol, 'alice', 'MEMBER')], ['NOT_SUPER_ADMIN', 'LAST_SUPER_ADMIN']],
      ['remove each other', (alice, carol) => [suite.journey.removeAgent(alice, 'carol'), suite.journey.removeAgent(carol, 'alice')], ['NOT_A_MEMBER', 'LAST_SUPER_ADMIN']],
      ['demote themselves', (alice, carol) => [suite.journey.changeRole(alice, 'alice', 'AUDITOR'), suite.journey.changeRole(carol, 'carol', 'MEMBER')], ['NOT_SUPER_ADMIN', 'LAST_SUPER_ADMIN']],
    ];
    const { conflicts } = await countingConflicts(suite.server, async () => {
      for (let round = 0; round < 5; round++) {
        for (const [race, commands, codes] of races) {
          const alice = await suite.journey.createOrg('alice');
          const carol = await suite.journey.addAgent(alice, 'carol', 'SUPER_ADMIN');
          const replies = await Promise.all(commands(alice, carol));
          // One wins; the other, decided on the directory the winner left, is refused.
          const refused = replies.filter((reply) => reply.status !== 200);
          expect({ race, refused: refused.length }).toEqual({ race, refused: 1 });
          expectProblem(refused[0], refused[0].status);
          expect({ race, code: codes.includes(refused[0].body.code) }).toEqual({ race, code: true });
          const superAdmins = [...(await directory(alice.orgId)).agents.entries()].filter(([, agent]) => agent.role === 'SUPER_ADMIN');
          expect({ race, superAdmins: superAdmins.length }).toEqual({ race, superAdmins: 1 });
        }
      }
    });
    // The pairs did race: some append was refused for a directory another command had changed.
    expect(conflicts).toBeGreaterThan(0);
  });

  it('refuses a SUPER_ADMIN removed by another while they change the directory as NOT_A_MEMBER, whichever commits first (R1)', async () => {
    const acts: [string, (carol: TestAgent) => Promise<Reply>][] = [
      ['add', (carol) => call(suite.server, 'POST', `/v1/orgs/${carol.orgId}/agents`, carol.token, { agentId: 'dave', email: 'dave@acme.test', displayName: 'Dave', role: 'MEMBER' })],
      ['promote', (carol) => suite.journey.changeRole(carol, 'bob', 'ADMIN')],
      ['remove', (carol) => suite.journey.removeAgent(carol, 'bob')],
    ];
    const refusals: string[] = [];
    const { conflicts } = await countingConflicts(suite.server, async () => {
      for (let round = 0; round < 5; round++) {
        for (const [act, command] of acts) {
          const alice = await suite.journey.createOrg('alice');
          const carol = await suite.journey.addAgent(alice, 'carol', 'SUPER_ADMIN');
          await suite.journey.addAgent(alice, 'bob');
          const [removed, acted] = await Promise.all([suite.journey.removeAgent(alice, 'carol'), command(carol)]);
          expect({ act, removed: removed.status }).toEqual({ act, removed: 200 });
          // Carol acted before her removal, or is refused as the removed agent she is then.
          if (acted.status !== 200 && acted.status !== 201) {
            expectProblem(acted, 403, 'NOT_A_MEMBER');
            refusals.push(act);
          }
          expect((await directory(alice.orgId)).agents.has('carol')).toBe(false);
        }
      }
    });
    // The pairs did race: carol was refused for a removal that came first, some of it by an append that conflicted.
    expect({ refusals: refusals.length > 0, conflicts: conflicts > 0 }).toEqual({ refusals: true, conflicts: true });
  });

  it('removing an agent while their request is approved leaves no ACTIVE key and one consistent outcome (R9)', async () => {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.requestKey(alice);
    const carol = await suite.journey.addAgent(alice, 'carol', 'SUPER_ADMIN');
    await suite.journey.activeKey(carol, alice);

    for (let round = 0; round < 5; round++) {
      const member = await suite.journey.addAgent(alice, `leaver-${round}`);
      const request = await suite.journey.requestKey(member);
      const { requestId, verificationCode } = request.body;
      const proof = await suite.journey.signed(carol, carol.key!, { purpose: 'KEY_DECISION', requestId, decision: 'APPROVE' });
      const [approved, removed] = await Promise.all([
        call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/key-requests/${requestId}/approve`, carol.token, {
          verificationCode,
          challengeId: proof.challengeId,
          signature: proof.signature,
        }),
        suite.journey.removeAgent(alice, member.agentId),
      ]);
      expectWonOrConflict(approved, 200);
      expect(removed.status).toBe(200);

      const events = eventsOfRequest(await loggedEvents(suite.server, alice.orgId), requestId, 'KeyApproved', 'KeyRevoked', 'KeyRequestCancelled');
      const outcome = events.map((event) => `${event.type}${event.data.reasonCode ? `:${event.data.reasonCode}` : ''}${event.data.reason === 'AGENT_REMOVED' ? ':AGENT_REMOVED' : ''}`);
      // Either the approval came first and the removal revoked the key, or the removal cancelled the request first.
      expect([['KeyApproved', 'KeyRevoked:AGENT_REMOVED'], ['KeyRequestCancelled:AGENT_REMOVED']]).toContainEqual(outcome);
      expect(approved.status).toBe(outcome.length === 2 ? 200 : 409);
    }
  });
});
