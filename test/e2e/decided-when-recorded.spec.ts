import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandContext } from '../../src/application/command-context';
import { Directory } from '../../src/application/directory';
import { EventWriter } from '../../src/application/event-writer';
import { Proofs } from '../../src/application/proofs';
import { Recoveries } from '../../src/application/recoveries';
import { StreamStates } from '../../src/application/stream-states';
import { BrowserActionCommand, BrowserActionHandler } from '../../src/application/use-cases/browser-actions';
import { ChangeDirectoryCommand, ChangeDirectoryHandler } from '../../src/application/use-cases/manage-agents';
import { RevokeKeyCommand, RevokeKeyHandler } from '../../src/application/use-cases/revoke-key';
import { StartRecoveryCommand, StartRecoveryHandler } from '../../src/application/use-cases/start-recovery';
import { EXIT } from '../../src/cli/exit-codes';
import { runCli } from '../../src/cli/run-cli';
import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import { RateLimits } from '../../src/rate-limits/rate-limits';
import { memoryIo } from '../cli/support/memory-io';
import { call, type TestAgent } from '../support/api-client';
import { serverForSuite, type SuiteServer } from '../support/server-for-suite';
import { expectNothingWritten, expectProblem } from './expectations';
import { TamperedOrgs } from '../../src/application/tampered-orgs';
import { signedLog } from './signed-export';
import { QueryBus } from '@nestjs/cqrs';
import { IssueChallengeQuery } from '../../src/application/use-cases/issue-challenge';
import { agentStream, browserStream } from '../../src/domain/streams';

/** Further ahead than a challenge lives (5 minutes) plus the clock skew it tolerates (2 minutes). */
const AHEAD_MS = 10 * 60_000;

/** Another instance serving `suite`'s log, its clock `aheadMs` ahead of the server's, with its own stream-state cache. */
const instance = (suite: SuiteServer, aheadMs: number) => {
  const states = new StreamStates(suite.server.eventStore);
  const directory = new Directory(states);
  const recoveries = new Recoveries(states);
  const writer = new EventWriter(suite.server.eventStore, states, suite.server.app.get(TamperedOrgs));
  const context = (orgId: string, actor: string): CommandContext => {
    const commandId = randomUUID();
    return { actor, orgId, correlationId: commandId, commandId, now: new Date(Date.now() + aheadMs) };
  };
  const browsers = new BrowserActionHandler(suite.server.eventStore, directory, states, suite.server.app.get(Proofs), writer, suite.server.app.get(RateLimits));
  return {
    /** A task sent without a signature, hoping to be remembered: its answer, or the refusal it was recorded with. */
    unsignedTask: (orgId: string, agentId: string, browserId: string, task: string) =>
      browsers.execute(new BrowserActionCommand(context(orgId, agentId), agentId, browserId, { kind: 'authorizeTask', task })).then(
        ({ authorization }) => authorization?.method,
        (refusal: { code?: string }) => refusal.code,
      ),
    /** A prompt-frequency change signed over `proof`'s challenge: its answer, or the refusal's code. */
    signedFrequency: (orgId: string, agentId: string, browserId: string, frequency: 'DAILY', proof: { challengeId: string; signature: string }) =>
      browsers.execute(new BrowserActionCommand(context(orgId, agentId), agentId, browserId, { kind: 'setPromptFrequency', frequency, ...proof })).then(
        () => 'CHANGED',
        (refusal: { code?: string }) => refusal.code,
      ),
    addAgent: (orgId: string, agentId: string) =>
      new ChangeDirectoryHandler(directory, recoveries, writer).execute(
        new ChangeDirectoryCommand(context(orgId, 'alice'), { kind: 'add', agent: { agentId, email: `${agentId}@example.com`, displayName: agentId }, role: 'MEMBER' }),
      ),
    revokeKey: (orgId: string, agentId: string) => new RevokeKeyHandler(directory, writer).execute(new RevokeKeyCommand(context(orgId, 'alice'), agentId, 'Laptop lost')),
    startRecovery: (orgId: string, agentId: string) => new StartRecoveryHandler(directory, recoveries, writer).execute(new StartRecoveryCommand(context(orgId, 'operator'), agentId)),
  };
};

/**
 * R15, R17: time never goes backwards within a stream, so an event is recorded at its stream's
 * last event's time when another instance, its clock ahead, wrote that event. A signed command
 * is checked at the time it is recorded, as the offline verifier checks it: a challenge answered
 * now but recorded past its expiry is refused, not written into a log `audit verify` then fails.
 * (Approvals: test/e2e/request-deadlines.spec.ts.)
 */
describe('signed commands decided at the time they are recorded (an instance whose clock is ahead wrote last)', () => {
  const suite = serverForSuite();

  const ahead = () => instance(suite, AHEAD_MS);

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

/**
 * R10, R11: a task sent without a signature is decided at the time it is recorded too: the window
 * a signature opened may have closed by then, and the offline verifier decides it there.
 */
describe('browser actions decided at the time they are recorded (an instance whose clock is ahead wrote last)', () => {
  const suite = serverForSuite({ LOG_CHECKPOINT_DELAY_MS: '50' });

  /** `audit verify` on the org's export once a checkpoint covers its `count` browser events. */
  async function verified(agent: TestAgent, count: number) {
    const { lines } = await signedLog(suite.server, agent, (leaves) => leaves.filter((line) => line.stream.startsWith('browser-')).length === count);
    const work = mkdtempSync(join(tmpdir(), 'ztkeys-decided-when-recorded-'));
    try {
      const path = join(work, 'export.ndjson');
      writeFileSync(path, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
      const io = memoryIo({ ZTKEYS_HOME: work });
      const vkey = (await call<string>(suite.server, 'GET', '/v1/log-key')).body;
      const code = await runCli(['audit', 'verify', path, '--log-key', vkey], io);
      return { code, stderr: io.stderr.text };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  it('refuses a REMEMBERED task whose window closed before the time it is recorded at (the browser stream is ahead), so that audit verify passes the log', async () => {
    const DAY_MS = 24 * 3600_000;
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.requestKey(alice);
    expect((await suite.journey.setPromptFrequency(alice, 'laptop', 'DAILY')).status).toBe(200);
    expect((await suite.journey.sensitiveTask(alice, 'laptop', 'export', alice.key)).body).toMatchObject({ method: 'SIGNATURE' });
    // A day later, on two instances whose clocks are two minutes apart (within the tolerated skew):
    // the one ahead refuses a task just after the window the signature opened closed, and records it
    // there; the one behind, its clock still within the window, is asked just after.
    expect(await instance(suite, DAY_MS + 60_000).unsignedTask(alice.orgId, 'alice', 'laptop', 'export')).toBe('PROMPT_REQUIRED');
    const behind = await instance(suite, DAY_MS - 60_000).unsignedTask(alice.orgId, 'alice', 'laptop', 'export');
    // Whatever it decides is recorded at the stream's later time: the export the server wrote verifies.
    expect(await verified(alice, 4)).toEqual({ code: EXIT.OK, stderr: '' });
    // It decided at that time, when the window had closed.
    expect(behind).toBe('PROMPT_REQUIRED');
  });

  it('dates a task refused for a key that an instance whose clock is ahead revoked no earlier than the revocation (a decision is never dated before a fact it relied on), so that as-of and the log agree', async () => {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.requestKey(alice);
    const carol = await suite.journey.addAgent(alice, 'carol');
    carol.key = await suite.journey.activeKey(carol, alice);
    // Within the tolerated skew: a minute ahead.
    await instance(suite, 60_000).revokeKey(alice.orgId, 'carol');
    const refused = await suite.journey.sensitiveTask(carol, 'laptop', 'export');
    expectProblem(refused, 401, 'NO_ACTIVE_KEY');
    const [revoked] = (await suite.server.eventStore.readStream(agentStream(alice.orgId, 'carol'))).filter((event) => event.type === 'KeyRevoked');
    const [task] = await suite.server.eventStore.readStream(browserStream(alice.orgId, 'carol', 'laptop'));
    expect({ type: task.type, reason: task.data.reason }).toEqual({ type: 'SensitiveTaskRefused', reason: 'NO_ACTIVE_KEY' });
    // Dated before it, an as-of query at that instant said carol held an ACTIVE key, beside a refusal saying she held none.
    expect(task.metadata.occurredAt >= revoked.metadata.occurredAt).toBe(true);
    expect(await verified(alice, 1)).toEqual({ code: EXIT.OK, stderr: '' });
  });

  it('refuses a challenge issued by an instance more than the tolerated skew ahead, rather than record a signature dated before its challenge was issued', async () => {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.requestKey(alice);
    // Issued by an instance whose clock is AHEAD_MS ahead, beyond the 2 minutes the clocks may be apart; used on one at the
    // real time, which every fact the change relies on is dated by (an instance behind takes the time of the facts it read).
    const issued = await suite.server.app
      .get(QueryBus)
      .execute(new IssueChallengeQuery(alice.orgId, 'alice', { purpose: 'PROMPT_FREQUENCY', browserId: 'desk', frequency: 'DAILY' }, new Date(Date.now() + AHEAD_MS)));
    const proof = { challengeId: issued.challengeId, signature: alice.key!.sign(issued.statement) };
    const answer = await instance(suite, 0).signedFrequency(alice.orgId, 'alice', 'desk', 'DAILY', proof);
    expect((await suite.journey.setPromptFrequency(alice, 'laptop', 'DAILY')).status).toBe(200);
    // What the server wrote verifies: the instance behind recorded nothing it would date before its challenge.
    expect(await verified(alice, answer === 'CHANGED' ? 2 : 1)).toEqual({ code: EXIT.OK, stderr: '' });
    expect(answer).toBe('CHALLENGE_NOT_YET_VALID');
  });
});
