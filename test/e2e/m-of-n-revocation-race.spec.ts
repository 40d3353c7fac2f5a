import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ChallengeTokens } from '../../src/application/challenge-tokens';
import { Directory } from '../../src/application/directory';
import { EventWriter } from '../../src/application/event-writer';
import { Proofs } from '../../src/application/proofs';
import { StreamStates } from '../../src/application/stream-states';
import { DecideKeyRequestCommand, DecideKeyRequestHandler } from '../../src/application/use-cases/decide-key-request';
import { fingerprint } from '../../src/crypto/public-key';
import { RateLimits } from '../../src/rate-limits/rate-limits';
import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { call, Journey, type Reply } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { appendingAfter } from './append-after';
import { eventsOfRequest, loggedEvents } from './event-log';
import { TamperedOrgs } from '../../src/application/tampered-orgs';

const ROUNDS = 16;
/**
 * How long the second of the two commands waits after the first leaves: from a true race to a clear
 * order, the first's answer. The clear order falls on a round of each parity (6 and 13), so each way
 * is seen on any machine: on a slow one, approvals sent up to 40 ms after the revocation still won
 * all 16 rounds.
 */
const DELAYS: Array<number | 'answered'> = [0, 1, 2, 3, 5, 8, 'answered'];

/** `first`, then `second` after `delay` (or once `first` is answered); their answers in that order. */
async function raced(first: () => Promise<Reply>, second: () => Promise<Reply>, delay: number | 'answered'): Promise<[Reply, Reply]> {
  if (delay === 'answered') return [await first(), await second()];
  return Promise.all([first(), sleep(delay).then(second)]);
}

/**
 * R17, R20 M-of-N: an approval counts only while its approver holds the key that signed it. Here
 * the revocation of an earlier approver's key races the approval that would reach the threshold,
 * each sent to another API server on one DATA_DIR (each with its own connection to the log and its
 * own stream caches, as WORKERS=2 runs them): either the revocation lands first and the approval is only recorded
 * (PENDING), or the approval lands first and activates the key, and the revocation follows. Never
 * a key activated after the revocation of a key whose approval it counted.
 */
describe('M-of-N: a revocation racing the final approval, across two API servers on one log', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-mofn-race-'));
  let one: TestServer;
  let two: TestServer;

  beforeAll(async () => {
    one = await startTestServer({ DATA_DIR: dataDir });
    two = await startTestServer({ DATA_DIR: dataDir, ROLES: 'api' });
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /**
   * The final approvals that counted a key revoked before their position: for each KeyApproved,
   * the earlier KeyApprovalRecorded of its request whose signing key a KeyRevoked before it revoked.
   */
  function approvalsOnRevokedKeys(events: RecordedEvent[]): string[] {
    const revokedAt = new Map<string, bigint>();
    for (const event of events) if (event.type === 'KeyRevoked') revokedAt.set(event.data.fingerprint as string, event.position);
    const invalid: string[] = [];
    for (const approved of events.filter((event) => event.type === 'KeyApproved' && event.data.mode === 'APPROVAL')) {
      for (const earlier of eventsOfRequest(events, approved.data.requestId as string, 'KeyApprovalRecorded')) {
        const revoked = revokedAt.get(fingerprint((earlier.data.decision as { publicKey: string }).publicKey));
        if (revoked !== undefined && revoked < approved.position) invalid.push(`${approved.data.requestId} counted ${earlier.data.approvedBy}'s approval, revoked at ${revoked}, at ${approved.position}`);
      }
    }
    return invalid;
  }

  it(`never activates a key on the approval of a key revoked before it (${ROUNDS} rounds, both ways)`, async () => {
    const [viaOne, viaTwo] = [new Journey(one), new Journey(two)];
    // Two approvals activate a MEMBER's key; one an ADMIN's, so the revoked approver gets a new key each round.
    const alice = await viaOne.createOrg('alice', { memberKeyApprovals: 2, adminKeyApprovals: 1 });
    await viaOne.requestKey(alice);
    const early = await viaOne.addAgent(alice, 'early', 'ADMIN');
    const last = await viaOne.addAgent(alice, 'last', 'ADMIN');
    await viaOne.activeKey(last, alice);
    const outcomes: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await viaOne.activeKey(early, alice);
      const member = await viaOne.addAgent(alice, `member-${round}`);
      const { requestId, verificationCode } = (await viaOne.requestKey(member)).body;
      expect((await viaOne.decide(early, requestId, 'APPROVE', { verificationCode })).body).toMatchObject({ status: 'PENDING', approvals: ['early'] });
      const proof = await viaOne.signed(last, last.key!, { purpose: 'KEY_DECISION', requestId, decision: 'APPROVE' });
      const approve = () => call(one, 'POST', `/v1/orgs/${alice.orgId}/key-requests/${requestId}/approve`, last.token, { verificationCode, challengeId: proof.challengeId, signature: proof.signature });
      const revoke = () => viaTwo.revokeKey(alice, 'early', 'Key stolen');
      // Which leaves first alternates, and the other follows within a few milliseconds or once the first is answered.
      const delay = DELAYS[round % DELAYS.length];
      const [approved, revoked] = round % 2 === 0 ? await raced(approve, revoke, delay) : (await raced(revoke, approve, delay)).reverse();
      expect([approved.status, revoked.status]).toEqual([200, 200]);
      outcomes.push(approved.body.status);
      if (approved.body.status === 'PENDING') expect(approved.body).toMatchObject({ approvals: ['last'], approvalsRequired: 2 });
      else expect(approved.body).toMatchObject({ status: 'APPROVED', mode: 'APPROVAL' });
    }

    const events = await loggedEvents(one, alice.orgId);
    expect(approvalsOnRevokedKeys(events)).toEqual([]);
    // Each round one outcome, as answered: a key activated, or an approval recorded that waits.
    const activated = events.filter((event) => event.type === 'KeyApproved' && (event.data.agentId as string).startsWith('member-'));
    expect(activated.length).toBe(outcomes.filter((outcome) => outcome === 'APPROVED').length);
    // The race ran both ways.
    expect([...new Set(outcomes)].sort()).toEqual(['APPROVED', 'PENDING']);
  }, 300_000);

  it('decides the final approval again when the revocation commits between its reads and its append: the earlier approver\'s key stream guards it', async () => {
    const journey = new Journey(one);
    const alice = await journey.createOrg('alice', { memberKeyApprovals: 2 });
    await journey.requestKey(alice);
    // last before early in the directory: counting who else could sign (alice, last) reads no key stream of early's,
    // so only the guard of the earlier approvals' keys stands between this approval and the revocation.
    const last = await journey.addAgent(alice, 'last', 'ADMIN');
    await journey.activeKey(last, alice);
    const early = await journey.addAgent(alice, 'early', 'ADMIN');
    await journey.activeKey(early, alice);
    const member = await journey.addAgent(alice, 'member');
    const { requestId, verificationCode } = (await journey.requestKey(member)).body;
    expect((await journey.decide(early, requestId, 'APPROVE', { verificationCode })).body).toMatchObject({ status: 'PENDING' });
    const proof = await journey.signed(last, last.key!, { purpose: 'KEY_DECISION', requestId, decision: 'APPROVE' });

    // A handler instance of its own (its own stream caches) on the real log, whose first append
    // waits until the other server's revocation of early's key has committed.
    let revoked: Reply | undefined;
    const revokedFirst = appendingAfter(one.eventStore, async () => (revoked = await new Journey(two).revokeKey(alice, 'early', 'Key stolen')));
    const states = new StreamStates(revokedFirst);
    const handler = new DecideKeyRequestHandler(new Directory(states), new Proofs(one.app.get(ChallengeTokens)), new EventWriter(revokedFirst, states, one.app.get(TamperedOrgs)), one.app.get(RateLimits));
    const context = { actor: 'last', orgId: alice.orgId, correlationId: randomUUID(), commandId: randomUUID(), now: new Date() };
    const decided = await handler.execute(new DecideKeyRequestCommand(context, requestId, { decision: 'APPROVE', verificationCode }, proof.challengeId, proof.signature));

    expect(revoked?.status).toBe(200);
    expect(decided).toMatchObject({ status: 'PENDING', approvals: ['last'], approvalsRequired: 2 });
    const events = await loggedEvents(one, alice.orgId);
    expect(eventsOfRequest(events, requestId, 'KeyApprovalRecorded', 'KeyApproved').map((event) => [event.type, event.data.approvedBy])).toEqual([
      ['KeyApprovalRecorded', 'early'],
      ['KeyApprovalRecorded', 'last'],
    ]);
    expect(approvalsOnRevokedKeys(events)).toEqual([]);
  });
});
