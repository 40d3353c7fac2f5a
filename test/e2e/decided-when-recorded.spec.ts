import { randomUUID } from 'node:crypto';
import type { CommandContext } from '../../src/application/command-context';
import { Directory } from '../../src/application/directory';
import { EventWriter } from '../../src/application/event-writer';
import { Recoveries } from '../../src/application/recoveries';
import { StreamStates } from '../../src/application/stream-states';
import { ChangeDirectoryCommand, ChangeDirectoryHandler } from '../../src/application/use-cases/manage-agents';
import { RevokeKeyCommand, RevokeKeyHandler } from '../../src/application/use-cases/revoke-key';
import { StartRecoveryCommand, StartRecoveryHandler } from '../../src/application/use-cases/start-recovery';
import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import { call } from '../support/api-client';
import { serverForSuite } from '../support/server-for-suite';
import { expectNothingWritten, expectProblem } from './expectations';
import { TamperedOrgs } from '../../src/application/tampered-orgs';

/** Further ahead than a challenge lives (5 minutes) plus the clock skew it tolerates (2 minutes). */
const AHEAD_MS = 10 * 60_000;

/**
 * R15, R17: time never goes backwards within a stream, so an event is recorded at its stream's
 * last event's time when another instance, its clock ahead, wrote that event. A signed command
 * is checked at the time it is recorded, as the offline verifier checks it: a challenge answered
 * now but recorded past its expiry is refused, not written into a log `audit verify` then fails.
 * (Approvals: test/e2e/request-deadlines.spec.ts.)
 */
describe('signed commands decided at the time they are recorded (an instance whose clock is ahead wrote last)', () => {
  const suite = serverForSuite();

  /** Another instance, its clock AHEAD_MS ahead, with its own stream-state cache. */
  const ahead = () => {
    const states = new StreamStates(suite.server.eventStore);
    const directory = new Directory(states);
    const recoveries = new Recoveries(states);
    const writer = new EventWriter(suite.server.eventStore, states, suite.server.app.get(TamperedOrgs));
    const context = (orgId: string, actor: string): CommandContext => {
      const commandId = randomUUID();
      return { actor, orgId, correlationId: commandId, commandId, now: new Date(Date.now() + AHEAD_MS) };
    };
    return {
      addAgent: (orgId: string, agentId: string) =>
        new ChangeDirectoryHandler(directory, recoveries, writer).execute(
          new ChangeDirectoryCommand(context(orgId, 'alice'), { kind: 'add', agent: { agentId, email: `${agentId}@example.com`, displayName: agentId }, role: 'MEMBER' }),
        ),
      revokeKey: (orgId: string, agentId: string) => new RevokeKeyHandler(directory, writer).execute(new RevokeKeyCommand(context(orgId, 'alice'), agentId, 'Laptop lost')),
      startRecovery: (orgId: string, agentId: string) => new StartRecoveryHandler(directory, recoveries, writer).execute(new StartRecoveryCommand(context(orgId, 'operator'), agentId)),
    };
  };

  it('refuses a policy change that would be recorded after its challenge expired (the org stream is ahead)', async () => {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.activeKey(alice, alice);
    await ahead().addAgent(alice.orgId, 'dave');
    const reply = await expectNothingWritten(suite.server, () => suite.journey.setPolicy(alice, { ...DEFAULT_ORG_POLICY, memberKeyApprovals: 2 }));
    expectProblem(reply, 422, 'CHALLENGE_EXPIRED');
  });

  it('refuses a veto that would be recorded after its challenge expired (the recovery stream is ahead)', async () => {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.activeKey(alice, alice);
    const bob = await suite.journey.addAgent(alice, 'bob', 'ADMIN');
    await suite.journey.activeKey(bob, alice);
    const { recovery } = await ahead().startRecovery(alice.orgId, 'alice');
    const proof = await suite.journey.signed(bob, bob.key!, { purpose: 'RECOVERY_VETO', recoveryId: recovery.recoveryId });
    const reply = await expectNothingWritten(suite.server, () =>
      call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/recoveries/${recovery.recoveryId}/veto`, bob.token, { challengeId: proof.challengeId, signature: proof.signature }),
    );
    expectProblem(reply, 422, 'CHALLENGE_EXPIRED');
  });

  it('refuses a key request that would be recorded after its challenge expired (the agent\'s key stream is ahead)', async () => {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.activeKey(alice, alice);
    const carol = await suite.journey.addAgent(alice, 'carol');
    await suite.journey.activeKey(carol, alice);
    await ahead().revokeKey(alice.orgId, 'carol');
    const reply = await expectNothingWritten(suite.server, () => suite.journey.requestKey(carol));
    expectProblem(reply, 422, 'CHALLENGE_EXPIRED');
  });
});
