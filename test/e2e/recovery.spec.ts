import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReadModelName } from '../../projections/projection';
import { envelope } from '../../src/application/command-context';
import { Directory } from '../../src/application/directory';
import { EventWriter } from '../../src/application/event-writer';
import { Recoveries } from '../../src/application/recoveries';
import { StreamStates } from '../../src/application/stream-states';
import { ChangeDirectoryCommand, ChangeDirectoryHandler } from '../../src/application/use-cases/manage-agents';
import { POLICY_ACTOR } from '../../src/domain/shared/actor';
import { orgStream } from '../../src/domain/streams';
import { EXIT } from '../../src/cli/exit-codes';
import { ProfileStore } from '../../src/cli/profile-store';
import { runCli } from '../../src/cli/run-cli';
import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { appendingAfter } from './append-after';
import { loggedEvents } from './event-log';
import { InProcessLease } from '../../src/leases/in-process-lease';
import { EmailJobPlanner } from '../../src/notifications/email-job-planner';
import { deadlineEnforcers } from '../../src/runtime/build-runtime';
import { DeadlineScheduler } from '../../src/runtime/deadline-scheduler';
import { AuditVerifier } from '../../src/transparency/audit-verifier';
import { parseVerifierKey } from '../../src/transparency/signed-note';
import { memoryIo } from '../cli/support/memory-io';
import { logSignerOf, resignedExport } from './resigned-export';
import { call, type Reply, type TestAgent } from '../support/api-client';
import { generateKeyPair, type TestKeyPair } from '../support/ed25519-keys';
import { serverForSuite } from '../support/server-for-suite';
import { expectProblem } from './expectations';
import { signedExport } from './signed-export';
import { TamperedOrgs } from '../../src/application/tampered-orgs';

const HOUR = 3600 * 1000;
type Line = Record<string, any>;

/**
 * R20 break-glass recovery over the real application: the operator starts it, approvers are
 * emailed at once and halfway, an approver with an ACTIVE key vetoes it, or the lease-holding
 * scheduler (its clock set by the test) completes it once the delay passed, granting the
 * SUPER_ADMIN's PENDING request with mode RECOVERY; the exported log verifies offline.
 */
describe('break-glass recovery (R20)', () => {
  // Checkpoints moments after each growth: `audit verify` vouches for no event after the last one.
  const suite = serverForSuite({ LOG_CHECKPOINT_DELAY_MS: '50' });
  let work: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'ztkeys-recovery-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  let errors: unknown[] = [];
  beforeEach(() => (errors = []));
  afterEach(() => expect(errors).toEqual([]));
  /** A scheduler as another instance would run it, at the given clock. */
  const passAt = (at: Date) =>
    new DeadlineScheduler(suite.server.readModels, deadlineEnforcers(suite.server.eventStore, suite.server.app.get(TamperedOrgs)), new InProcessLease(), { intervalMs: 20, clock: () => at, onError: (error) => errors.push(error) }).pass();

  const eventsOf = async (orgId: string, type: string): Promise<RecordedEvent[]> => (await loggedEvents(suite.server, orgId)).filter((event) => event.type === type);

  async function caughtUp(model: ReadModelName): Promise<void> {
    const head = (await suite.server.eventStore.headPosition())!;
    while (((await suite.server.readModels.checkpoint(model)) ?? -1n) < head) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  const planner = () => new EmailJobPlanner(suite.server.eventStore);
  const emailsOf = async (event: RecordedEvent) => (await planner().jobsFor(event)).map((job) => [job.kind, job.to.agentId]).sort();

  const start = (orgId: string, agentId: string, token = suite.server.bootstrapToken) => call(suite.server, 'POST', `/v1/orgs/${orgId}/recoveries`, token, { agentId });
  const show = (orgId: string, token: string) => call(suite.server, 'GET', `/v1/orgs/${orgId}/recovery`, token);
  async function veto(approver: TestAgent, recoveryId: string, key = approver.key!) {
    const proof = await suite.journey.signed(approver, key, { purpose: 'RECOVERY_VETO', recoveryId });
    return call(suite.server, 'POST', `/v1/orgs/${approver.orgId}/recoveries/${recoveryId}/veto`, approver.token, { challengeId: proof.challengeId, signature: proof.signature });
  }

  async function exportOf(admin: TestAgent): Promise<Line[]> {
    await caughtUp('audit-log');
    return signedExport(suite.server, admin);
  }
  const vkey = async () => (await call(suite.server, 'GET', '/v1/log-key')).body as string;
  async function verify(lines: Line[]) {
    const verifier = new AuditVerifier({ logKey: parseVerifierKey(await vkey()) });
    for (const line of lines) verifier.push(JSON.stringify(line));
    return verifier.finish();
  }
  const resign = (lines: Line[], orgId: string): Line[] => resignedExport(lines, logSignerOf(suite.server.dataDir), orgId);

  it('restores a locked-out org: refuses a second recovery, reminds halfway, waits for a key request, grants it with mode RECOVERY after the delay; the org works again and its log verifies offline', async () => {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.activeKey(alice, alice);
    const bob = await suite.journey.addAgent(alice, 'bob', 'ADMIN');
    await suite.journey.activeKey(bob, alice);
    const carol = await suite.journey.addAgent(alice, 'carol');
    // Every approver's key is gone: nobody can approve again.
    expect((await suite.journey.revokeKey(alice, 'bob')).status).toBe(200);
    expect((await suite.journey.revokeKey(alice, 'alice')).status).toBe(200);

    expectProblem(await start(alice.orgId, 'carol'), 422, 'NOT_SUPER_ADMIN');
    expectProblem(await start(alice.orgId, 'alice', alice.token), 401);
    expectProblem(await call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/recoveries`, suite.server.bootstrapToken, { agentId: 'alice', extra: 1 }), 400, 'INVALID_INPUT');
    expectProblem(await start('no-such-org', 'alice'), 404, 'ORG_NOT_FOUND');
    expectProblem(await show(alice.orgId, alice.token), 404, 'NO_RECOVERY');

    const before = Date.now();
    const started = await start(alice.orgId, 'alice');
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ agentId: 'alice', status: 'RUNNING', delayHours: 72, withWorkingApprover: false, reminded: false });
    const startedAt = Date.parse(started.body.startedAt);
    expect(startedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(started.body.effectiveAt) - startedAt).toBe(72 * HOUR);
    const { recoveryId } = started.body;

    expectProblem(await start(alice.orgId, 'alice'), 409, 'RECOVERY_IN_PROGRESS');
    for (const token of [alice.token, suite.server.bootstrapToken]) expect((await show(alice.orgId, token)).body).toMatchObject({ recoveryId, status: 'RUNNING' });
    expectProblem(await show(alice.orgId, carol.token), 403, 'NOT_ALLOWED');
    // An approver without an ACTIVE key cannot veto, whatever key they sign with.
    expectProblem(await veto(bob, recoveryId, generateKeyPair()), 403, 'APPROVER_HAS_NO_ACTIVE_KEY');

    const [startedEvent] = await eventsOf(alice.orgId, 'RecoveryStarted');
    expect(await emailsOf(startedEvent)).toEqual([['RECOVERY_STARTED', 'alice'], ['RECOVERY_STARTED', 'bob']]);

    await caughtUp('recoveries');
    const at = (ms: number) => new Date(startedAt + ms);
    await passAt(at(35 * HOUR));
    expect(await eventsOf(alice.orgId, 'RecoveryReminderSent')).toEqual([]);
    await passAt(at(37 * HOUR));
    await passAt(at(38 * HOUR));
    const reminders = await eventsOf(alice.orgId, 'RecoveryReminderSent');
    expect(reminders.map((event) => [event.data.recoveryId, event.metadata.actor])).toEqual([[recoveryId, POLICY_ACTOR]]);
    expect(await emailsOf(reminders[0])).toEqual([['RECOVERY_REMINDER', 'alice'], ['RECOVERY_REMINDER', 'bob']]);

    // Past the delay, but alice has no PENDING request yet: nothing is granted, the next pass tries again.
    await passAt(at(73 * HOUR));
    expect(await eventsOf(alice.orgId, 'RecoveryCompleted')).toEqual([]);
    const requested = await suite.journey.requestKey(alice);
    expect(requested.body.status).toBe('PENDING');
    const recoveredKey = (requested as typeof requested & { key: TestKeyPair }).key;
    await caughtUp('recoveries');
    await passAt(at(74 * HOUR));
    await passAt(at(75 * HOUR));

    const [completed] = await eventsOf(alice.orgId, 'RecoveryCompleted');
    expect(completed.data).toMatchObject({ recoveryId, agentId: 'alice', requestId: requested.body.requestId });
    const grants = (await eventsOf(alice.orgId, 'KeyApproved')).filter((event) => event.data.mode === 'RECOVERY');
    expect(grants.map((event) => [event.data.requestId, event.data.recoveryId, event.metadata.actor])).toEqual([[requested.body.requestId, recoveryId, POLICY_ACTOR]]);
    expect(completed.position).toBeGreaterThan(grants[0].position);
    expect((await show(alice.orgId, alice.token)).body).toMatchObject({ recoveryId, status: 'COMPLETED', requestId: requested.body.requestId });
    const view = await suite.journey.getKeyRequest(alice, requested.body.requestId);
    expect(view.body.status).toBe('APPROVED');
    expect(view.body.history.at(-1)).toMatchObject({ type: 'KeyApproved', by: POLICY_ACTOR });
    const status = await call(suite.server, 'GET', `/v1/orgs/${alice.orgId}/zero-trust-status`, alice.token, undefined, { 'x-min-position': String(completed.position) });
    expect(status.body.agents.find((agent: { agentId: string }) => agent.agentId === 'alice')).toMatchObject({ keyStatus: 'ACTIVE', activeKey: { mode: 'RECOVERY' } });
    expect(await emailsOf(completed)).toEqual([['RECOVERY_COMPLETED', 'alice'], ['RECOVERY_COMPLETED', 'bob']]);
    expect(await emailsOf(grants[0])).toEqual([['KEY_APPROVED', 'alice']]);

    // The org works again: the recovered SUPER_ADMIN approves carol's key request.
    alice.key = recoveredKey;
    const carols = await suite.journey.requestKey(carol);
    const approved = await suite.journey.decide(alice, carols.body.requestId, 'APPROVE', { verificationCode: carols.body.verificationCode });
    expect(approved.body).toMatchObject({ status: 'APPROVED', mode: 'APPROVAL' });
    // Once completed, another recovery may start: now against working approvers, so with the doubled delay.
    expect((await start(alice.orgId, 'alice')).body).toMatchObject({ status: 'RUNNING', withWorkingApprover: true, delayHours: 144 });

    const lines = await exportOf(alice);
    const good = join(work, 'recovered.ndjson');
    writeFileSync(good, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
    const run = async (...argv: string[]) => {
      const io = memoryIo({ ZTKEYS_HOME: work });
      return { code: await runCli(argv, io), stdout: io.stdout.text, stderr: io.stderr.text };
    };
    const ok = await run('audit', 'verify', good, '--log-key', await vkey());
    expect(ok).toMatchObject({ code: EXIT.OK, stderr: '' });
    expect(ok.stdout).toMatch(/alice \(SUPER_ADMIN\): alice \S+ RECOVERY/);
    expect(ok.stdout).toMatch(/carol \(MEMBER\): carol \S+ APPROVAL by alice <- alice \S+ RECOVERY/);

    // Tampering, even re-signed with the log key: a RECOVERY grant naming no started recovery, or made before the delay passed.
    const grantIndex = lines.findIndex((line) => line.type === 'KeyApproved' && line.data.mode === 'RECOVERY');
    const leafIndexOf = (index: number) => lines.slice(0, index).filter((line) => line.type !== 'CheckpointSigned').length;
    const forged = structuredClone(lines);
    forged[grantIndex].data.recoveryId = 'rc_forged';
    const bad = join(work, 'forged.ndjson');
    writeFileSync(bad, resign(forged, alice.orgId).map((line) => JSON.stringify(line)).join('\n'));
    const refused = await run('audit', 'verify', bad, '--log-key', await vkey());
    expect(refused.code).toBe(EXIT.TAMPERED);
    expect(refused.stderr).toMatch(/INVALID or TAMPERED/);
    expect(refused.stderr).toContain('recovery rc_forged was never started');
    expect((await verify(resign(forged, alice.orgId))).failure).toMatchObject({ type: 'KeyApproved', leafIndex: leafIndexOf(grantIndex) });

    // Dated before the delay passed, it goes back from the request's reminder before it in alice's stream (the replay's own rule: log-replay-recovery-lapse.spec.ts).
    const early = structuredClone(lines);
    early[grantIndex].occurredAt = new Date(startedAt + HOUR).toISOString();
    expect((await verify(resign(early, alice.orgId))).failure).toMatchObject({
      type: 'KeyApproved',
      leafIndex: leafIndexOf(grantIndex),
      reason: expect.stringMatching(/the event is dated \S+, before \S+, the time of the previous event of stream agent-\S+~alice/),
    });

    const noDelay = structuredClone(lines);
    const startIndex = noDelay.findIndex((line) => line.type === 'RecoveryStarted');
    noDelay[startIndex].data.delayHours = 1;
    expect((await verify(resign(noDelay, alice.orgId))).failure).toMatchObject({ type: 'RecoveryStarted', reason: expect.stringMatching(/waits 1 h, but the policy then gave 72 h/) });
  });

  it('against an org with a working approver: the delay is doubled and the approver vetoes it, signed; a new recovery may start after', async () => {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.activeKey(alice, alice);
    const bob = await suite.journey.addAgent(alice, 'bob', 'ADMIN');
    await suite.journey.activeKey(bob, alice);
    const carol = await suite.journey.addAgent(alice, 'carol');
    await suite.journey.activeKey(carol, bob);

    const started = await start(alice.orgId, 'alice');
    expect(started.body).toMatchObject({ status: 'RUNNING', delayHours: 144, withWorkingApprover: true });
    const { recoveryId } = started.body;
    expect(Date.parse(started.body.effectiveAt) - Date.parse(started.body.startedAt)).toBe(144 * HOUR);

    expectProblem(await suite.journey.challenge(carol, { purpose: 'RECOVERY_VETO', recoveryId }), 403, 'NOT_AN_APPROVER');
    expectProblem(await suite.journey.challenge(bob, { purpose: 'RECOVERY_VETO', recoveryId: 'rc_nope' }), 404, 'RECOVERY_NOT_FOUND');
    expectProblem(await call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/recoveries/${recoveryId}/veto`, bob.token, { challengeId: 'x', signature: 'short' }), 400, 'INVALID_INPUT');
    // A veto challenge binds whom the recovery restores, so the approver sees it before signing.
    const challenge = await suite.journey.challenge(bob, { purpose: 'RECOVERY_VETO', recoveryId });
    expect(JSON.parse(challenge.body.statement)).toMatchObject({ purpose: 'RECOVERY_VETO', recoveryId, recoveredAgentId: 'alice', agentId: 'bob' });

    const vetoed = await veto(bob, recoveryId);
    expect(vetoed.status).toBe(200);
    expect(vetoed.body).toMatchObject({ recoveryId, status: 'VETOED', vetoedBy: 'bob' });
    expectProblem(await veto(alice, recoveryId), 409, 'RECOVERY_NOT_RUNNING');
    const [vetoEvent] = await eventsOf(alice.orgId, 'RecoveryVetoed');
    expect(await emailsOf(vetoEvent)).toEqual([['RECOVERY_VETOED', 'alice'], ['RECOVERY_VETOED', 'bob']]);

    // Past the doubled delay, with a key request waiting: a vetoed recovery grants nothing.
    await suite.journey.requestKey(alice);
    await caughtUp('recoveries');
    await passAt(new Date(Date.parse(started.body.effectiveAt) + HOUR));
    expect(await eventsOf(alice.orgId, 'RecoveryCompleted')).toEqual([]);
    expect((await show(alice.orgId, suite.server.bootstrapToken)).body).toMatchObject({ recoveryId, status: 'VETOED' });

    const again = await start(alice.orgId, 'alice');
    expect(again.body).toMatchObject({ status: 'RUNNING', withWorkingApprover: true });
    expect(again.body.recoveryId).not.toBe(recoveryId);

    const lines = await exportOf(alice);
    expect((await verify(lines)).failure).toBeUndefined();
    // A veto recorded for a MEMBER, even re-signed with the log key: the verifier refuses it.
    const forged = structuredClone(lines);
    const vetoIndex = forged.findIndex((line) => line.type === 'RecoveryVetoed');
    forged[vetoIndex].actor = 'carol';
    forged[vetoIndex].data.vetoedBy = 'carol';
    expect((await verify(resign(forged, alice.orgId))).failure).toMatchObject({ type: 'RecoveryVetoed', reason: expect.stringMatching(/"carol" vetoed recovery \S+ as MEMBER/) });
  });

  it('grants no key request past its expiry, though the scheduler has not recorded the expiry yet: the recovery waits for a request that is still alive', async () => {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.activeKey(alice, alice);
    expect((await suite.journey.revokeKey(alice, 'alice')).status).toBe(200);
    const started = await start(alice.orgId, 'alice');
    const { recoveryId } = started.body;
    // alice asks for her key at once; nobody grants it within the default 168 h of expiry ...
    const stale = await suite.journey.requestKey(alice);
    expect(stale.body.status).toBe('PENDING');
    // ... and the recovery is enforced past that expiry (at most 168 h after its challenge's 5 minutes and 2 of skew) by a
    // scheduler whose request pass has not expired it yet (its read model behind, or that pass failed).
    const late = new Date(Date.now() + 169 * HOUR);
    const { recoveries } = deadlineEnforcers(suite.server.eventStore, suite.server.app.get(TamperedOrgs));
    expect(await recoveries.run({ orgId: alice.orgId, recoveryId }, new Date(started.body.remindAt))).toBe('REMINDED');
    expect(await recoveries.run({ orgId: alice.orgId, recoveryId }, late)).toBeUndefined();
    expect((await eventsOf(alice.orgId, 'KeyApproved')).filter((event) => event.data.mode === 'RECOVERY')).toEqual([]);
    expect((await show(alice.orgId, alice.token)).body).toMatchObject({ recoveryId, status: 'RUNNING' });

    // alice requests again (replacing the expired one), and that live request is granted once the delay passed.
    const fresh = await suite.journey.requestKey(alice, { replacePending: true });
    expect(await recoveries.run({ orgId: alice.orgId, recoveryId }, new Date(Date.parse(started.body.effectiveAt) + HOUR))).toBe('COMPLETED');
    const grants = (await eventsOf(alice.orgId, 'KeyApproved')).filter((event) => event.data.mode === 'RECOVERY');
    expect(grants.map((event) => event.data.requestId)).toEqual([fresh.body.requestId]);
    expect((await verify(await exportOf(alice))).failure).toBeUndefined();
  });

  it('lapses a recovery whose agent is demoted or removed while it waits, in the commit of that change: the approvers are told, and a new recovery may start', async () => {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.activeKey(alice, alice);
    const dave = await suite.journey.addAgent(alice, 'dave', 'SUPER_ADMIN');
    // Locked out: no approver holds a key. A directory change needs none, so dave still manages agents.
    expect((await suite.journey.revokeKey(alice, 'alice')).status).toBe(200);

    const first = await start(alice.orgId, 'alice');
    expect(first.body).toMatchObject({ status: 'RUNNING', withWorkingApprover: false });
    const startedAt = Date.parse(first.body.startedAt);
    expect((await suite.journey.changeRole(dave, 'alice', 'ADMIN')).status).toBe(200);
    await caughtUp('recoveries');
    // Long before its reminder: a recovery that can no longer complete ends with the demotion; the scheduler finds nothing to do.
    await passAt(new Date(startedAt + HOUR));
    await passAt(new Date(startedAt + 2 * HOUR));
    const [demoted] = await eventsOf(alice.orgId, 'RecoveryLapsed');
    expect([demoted.data, demoted.metadata.actor]).toEqual([{ recoveryId: first.body.recoveryId, agentId: 'alice', reason: 'AGENT_DEMOTED' }, 'dave']);
    expect(await eventsOf(alice.orgId, 'RecoveryLapsed')).toHaveLength(1);
    expect((await show(alice.orgId, dave.token)).body).toMatchObject({ recoveryId: first.body.recoveryId, status: 'LAPSED', lapseReason: 'AGENT_DEMOTED' });
    // alice is an ADMIN now, so she is told too.
    expect(await emailsOf(demoted)).toEqual([['RECOVERY_LAPSED', 'alice'], ['RECOVERY_LAPSED', 'dave']]);
    await caughtUp('recoveries');
    const documents = (await suite.server.readModels.dump('recoveries')).map((row) => row.document).filter((document) => document.orgId === alice.orgId);
    expect(documents).toEqual([expect.objectContaining({ recoveryId: first.body.recoveryId, status: 'LAPSED', lapseReason: 'AGENT_DEMOTED' })]);

    // Past its effect, nothing more happens to it; and the org may start another recovery, which a lapse-less recovery blocked forever.
    expect((await suite.journey.requestKey(alice)).status).toBe(201);
    await passAt(new Date(startedAt + 73 * HOUR));
    expect(await eventsOf(alice.orgId, 'RecoveryCompleted')).toEqual([]);
    const second = await start(alice.orgId, 'dave');
    expect(second.body).toMatchObject({ status: 'RUNNING', agentId: 'dave' });

    // Removed from the org, the agent of the second recovery: it lapses too, and only alice, the approver left, is told.
    expect((await suite.journey.changeRole(dave, 'alice', 'SUPER_ADMIN')).status).toBe(200);
    expect((await suite.journey.removeAgent(alice, 'dave')).status).toBe(200);
    await caughtUp('recoveries');
    await passAt(new Date(Date.parse(second.body.startedAt) + HOUR));
    const [, removed] = await eventsOf(alice.orgId, 'RecoveryLapsed');
    expect(removed.data).toEqual({ recoveryId: second.body.recoveryId, agentId: 'dave', reason: 'AGENT_REMOVED' });
    expect(await emailsOf(removed)).toEqual([['RECOVERY_LAPSED', 'alice']]);

    new ProfileStore(work).save('alice-lapse', { apiUrl: suite.server.url, token: alice.token, orgId: alice.orgId, agentId: 'alice' });
    const io = memoryIo({ ZTKEYS_HOME: work });
    expect(await runCli(['recovery', 'show', '--profile', 'alice-lapse'], io)).toBe(EXIT.OK);
    expect(io.stdout.text).toMatch(new RegExp(`recovery +${second.body.recoveryId}\n[\\s\\S]*status +LAPSED\n[\\s\\S]*lapsed +dave was removed from the organization: the recovery can no longer complete`));
    expect((await start(alice.orgId, 'alice')).status).toBe(201);

    const lines = await exportOf(alice);
    expect((await verify(lines)).failure).toBeUndefined();
    // Tampering, re-signed with the log key: a lapse recorded while its agent was still a SUPER_ADMIN (moved before the demotion) ...
    const lapseIndex = lines.findIndex((line) => line.type === 'RecoveryLapsed');
    const demotionIndex = lines.findIndex((line) => line.type === 'AgentRoleChanged' && line.data.agentId === 'alice' && line.data.to === 'ADMIN');
    const early = structuredClone(lines);
    early.splice(demotionIndex, 0, ...early.splice(lapseIndex, 1));
    expect((await verify(resign(early, alice.orgId))).failure).toMatchObject({ type: 'RecoveryLapsed', reason: expect.stringMatching(/"alice" is still a SUPER_ADMIN/) });
    // ... and a completion recorded after the lapse.
    const completed = structuredClone(lines);
    const lapse = completed[lapseIndex];
    for (const line of completed.slice(lapseIndex + 1)) if (line.stream === lapse.stream) line.revision++;
    const forgedCompletion = { ...lapse, eventId: randomUUID(), type: 'RecoveryCompleted', revision: lapse.revision + 1, data: { recoveryId: lapse.data.recoveryId, agentId: 'alice', requestId: 'r_forged', fingerprint: 'f'.repeat(64) } };
    completed.splice(lapseIndex + 1, 0, forgedCompletion);
    expect((await verify(resign(completed, alice.orgId))).failure).toMatchObject({ type: 'RecoveryCompleted', reason: expect.stringMatching(/was LAPSED, not RUNNING/) });
  });

  it('lapses UNCLAIMED a recovery that took effect but whose agent requested no key within the policy\'s request expiry after effectiveAt: the approvers are told, and a new recovery may start', async () => {
    const alice = await suite.journey.createOrg('alice', { pendingRequestExpiryHours: 24, reminderAfterHours: 12 });
    await suite.journey.activeKey(alice, alice);
    const dave = await suite.journey.addAgent(alice, 'dave', 'SUPER_ADMIN');
    expect((await suite.journey.revokeKey(alice, 'alice')).status).toBe(200);
    const first = await start(alice.orgId, 'alice');
    const { recoveryId } = first.body;
    const claimBy = Date.parse(first.body.effectiveAt) + 24 * HOUR;
    // The recovery says until when it waits for alice's key request: the policy's request expiry after it takes effect.
    expect(first.body.claimBy).toBe(new Date(claimBy).toISOString());
    // So do its start's emails to the approvers.
    const [startedEvent] = await eventsOf(alice.orgId, 'RecoveryStarted');
    const startEmails = await planner().jobsFor(startedEvent);
    expect(startEmails.map((job) => job.kind === 'RECOVERY_STARTED' && job.recovery.claimBy)).toEqual([new Date(claimBy).toISOString(), new Date(claimBy).toISOString()]);
    await caughtUp('recoveries');

    // Took effect, and alice never asks for a key: it waits for her until the window ends, blocking any other recovery meanwhile.
    await passAt(new Date(claimBy - 1));
    expect(await eventsOf(alice.orgId, 'RecoveryLapsed')).toEqual([]);
    expect((await show(alice.orgId, dave.token)).body).toMatchObject({ recoveryId, status: 'RUNNING', claimBy: new Date(claimBy).toISOString() });
    expectProblem(await start(alice.orgId, 'dave'), 409, 'RECOVERY_IN_PROGRESS');

    await passAt(new Date(claimBy));
    await passAt(new Date(claimBy + HOUR));
    const lapses = await eventsOf(alice.orgId, 'RecoveryLapsed');
    expect(lapses.map((event) => [event.data, event.metadata.actor])).toEqual([[{ recoveryId, agentId: 'alice', reason: 'UNCLAIMED' }, POLICY_ACTOR]]);
    const ended = (await show(alice.orgId, dave.token)).body;
    expect(ended).toMatchObject({ recoveryId, status: 'LAPSED', lapseReason: 'UNCLAIMED' });
    expect(ended).not.toHaveProperty('claimBy');
    expect(await emailsOf(lapses[0])).toEqual([['RECOVERY_LAPSED', 'alice'], ['RECOVERY_LAPSED', 'dave']]);
    await caughtUp('recoveries');
    const documents = (await suite.server.readModels.dump('recoveries')).map((row) => row.document).filter((document) => document.orgId === alice.orgId);
    expect(documents).toEqual([expect.objectContaining({ recoveryId, status: 'LAPSED', lapseReason: 'UNCLAIMED' })]);

    new ProfileStore(work).save('dave-unclaimed', { apiUrl: suite.server.url, token: dave.token, orgId: alice.orgId, agentId: 'dave' });
    const io = memoryIo({ ZTKEYS_HOME: work });
    expect(await runCli(['recovery', 'show', '--profile', 'dave-unclaimed'], io)).toBe(EXIT.OK);
    expect(io.stdout.text).toMatch(/lapsed +alice requested no key within its claim window after it took effect: it grants none now/);
    expect((await start(alice.orgId, 'dave')).body).toMatchObject({ status: 'RUNNING', agentId: 'dave' });

    const lines = await exportOf(dave);
    expect((await verify(lines)).failure).toBeUndefined();
    // Tampering, re-signed with the log key: the lapse recorded a moment before the window ended.
    const early = structuredClone(lines);
    const lapseIndex = early.findIndex((line) => line.type === 'RecoveryLapsed');
    early[lapseIndex].occurredAt = new Date(claimBy - 1).toISOString();
    expect((await verify(resign(early, alice.orgId))).failure).toMatchObject({
      type: 'RecoveryLapsed',
      reason: expect.stringMatching(/"alice" is still a SUPER_ADMIN: recovery \S+ waits for their key request until .*, and lapses then/),
    });
  });

  it('ends a recovery the moment its agent is removed or demoted: one re-added or re-promoted at once, before any scheduler pass, is not restored by it', async () => {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.activeKey(alice, alice);
    const dave = await suite.journey.addAgent(alice, 'dave', 'SUPER_ADMIN');
    // Locked out: alice's key is gone and dave has none; a directory change needs no key.
    expect((await suite.journey.revokeKey(alice, 'alice')).status).toBe(200);
    const first = await start(alice.orgId, 'alice');
    // dave, an insider, swaps alice for an "alice" of his own under the same id, before the scheduler looks.
    expect((await suite.journey.removeAgent(dave, 'alice')).status).toBe(200);
    const added = await call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/agents`, dave.token, { agentId: 'alice', email: 'not-alice@example.com', displayName: 'alice', role: 'SUPER_ADMIN' });
    expect(added.status).toBe(201);
    const removed = await show(alice.orgId, dave.token);
    expect(removed.body).toMatchObject({ recoveryId: first.body.recoveryId, status: 'LAPSED', lapseReason: 'AGENT_REMOVED' });
    const [lapse] = await eventsOf(alice.orgId, 'RecoveryLapsed');
    const [removal] = await eventsOf(alice.orgId, 'AgentRemoved');
    expect(lapse.data).toEqual({ recoveryId: first.body.recoveryId, agentId: 'alice', reason: 'AGENT_REMOVED' });
    // In the commit of the removal, by its actor.
    expect([lapse.metadata.actor, lapse.metadata.causationId]).toEqual(['dave', removal.metadata.causationId]);
    // The approvers as they stand after the removal are told, not the removed alice.
    expect(await emailsOf(lapse)).toEqual([['RECOVERY_LAPSED', 'dave']]);

    // Past the delay, the new alice's key request is granted by no recovery: hers needs its own, announced anew.
    const requested = await suite.journey.requestKey({ ...alice, token: await suite.server.token(alice.orgId, 'alice') });
    expect(requested.body.status).toBe('PENDING');
    await caughtUp('recoveries');
    await passAt(new Date(Date.parse(first.body.effectiveAt) + HOUR));
    expect((await eventsOf(alice.orgId, 'KeyApproved')).filter((event) => event.data.mode === 'RECOVERY')).toEqual([]);

    // A demotion ends the next one the same way, and a re-promotion does not bring it back.
    const second = await start(alice.orgId, 'alice');
    expect((await suite.journey.changeRole(dave, 'alice', 'ADMIN')).status).toBe(200);
    expect((await suite.journey.changeRole(dave, 'alice', 'SUPER_ADMIN')).status).toBe(200);
    expect((await show(alice.orgId, dave.token)).body).toMatchObject({ recoveryId: second.body.recoveryId, status: 'LAPSED', lapseReason: 'AGENT_DEMOTED' });
    expect((await verify(await exportOf(dave))).failure).toBeUndefined();
  });

  it('decides a removal again when a recovery of the agent starts between its reads and its append: the recovery stream guards it, and the recovery lapses with it', async () => {
    const alice = await suite.journey.createOrg('alice');
    const dave = await suite.journey.addAgent(alice, 'dave', 'SUPER_ADMIN');
    // dave's removal of alice, on a handler instance of its own, whose first append waits until the operator's recovery of alice started.
    let started: Reply | undefined;
    const startedFirst = appendingAfter(suite.server.eventStore, async () => (started = await start(alice.orgId, 'alice')));
    const states = new StreamStates(startedFirst);
    const removal = new ChangeDirectoryHandler(new Directory(states), new Recoveries(states), new EventWriter(startedFirst, states, suite.server.app.get(TamperedOrgs)));
    const commandId = randomUUID();
    await removal.execute(new ChangeDirectoryCommand({ actor: 'dave', orgId: alice.orgId, correlationId: commandId, commandId, now: new Date() }, { kind: 'remove', agentId: 'alice' }));
    expect(started?.status).toBe(201);
    expect((await show(alice.orgId, dave.token)).body).toMatchObject({ recoveryId: started!.body.recoveryId, status: 'LAPSED', lapseReason: 'AGENT_REMOVED' });
    expect((await verify(await exportOf(dave))).failure).toBeUndefined();
  });

  it('decides a lapse again when its agent is re-promoted between its decision and its append: the org stream it read guards it (a demotion an older server recorded without the lapse)', async () => {
    const alice = await suite.journey.createOrg('alice');
    const dave = await suite.journey.addAgent(alice, 'dave', 'SUPER_ADMIN');
    const started = await start(alice.orgId, 'alice');
    await caughtUp('recoveries');
    // alice's demotion as a server recorded it before the directory change lapsed the recovery in its commit: alone.
    const orgEvents = await suite.server.eventStore.readStream(orgStream(alice.orgId), 0n);
    const context = { actor: 'dave', orgId: alice.orgId, correlationId: randomUUID(), commandId: randomUUID(), now: new Date() };
    const demotion = envelope([{ type: 'AgentRoleChanged', data: { agentId: 'alice', from: 'SUPER_ADMIN', to: 'ADMIN' } }], context);
    await suite.server.eventStore.append([{ stream: orgStream(alice.orgId), expected: orgEvents.at(-1)!.revision, events: demotion }]);
    // The scheduler's event store, the real one, commits dave's re-promotion of alice just before the scheduler's first append.
    let promoted: Reply | undefined;
    const promotedFirst = appendingAfter(suite.server.eventStore, async () => (promoted = await suite.journey.changeRole(dave, 'alice', 'SUPER_ADMIN')));
    const soon = new Date(Date.parse(started.body.startedAt) + HOUR);
    const scheduler = new DeadlineScheduler(suite.server.readModels, deadlineEnforcers(promotedFirst, suite.server.app.get(TamperedOrgs)), new InProcessLease(), { intervalMs: 20, clock: () => soon, onError: (error) => errors.push(error) });
    await scheduler.pass();
    expect(promoted?.status).toBe(200);
    // This scheduler's lapse was decided on a demoted alice but conflicted, and on deciding again she was a SUPER_ADMIN.
    expect((await eventsOf(alice.orgId, 'RecoveryLapsed')).filter((event) => event.metadata.occurredAt === soon.toISOString())).toEqual([]);
    expect((await verify(await exportOf(dave))).failure).toBeUndefined();
  });

  it('records one outcome when schedulers race each other and an approver\'s veto: one completion or one veto, never both', async () => {
    for (let round = 0; round < 3; round++) {
      const alice = await suite.journey.createOrg('alice');
      await suite.journey.activeKey(alice, alice);
      const bob = await suite.journey.addAgent(alice, 'bob', 'ADMIN');
      await suite.journey.activeKey(bob, alice);
      const started = await start(alice.orgId, 'alice');
      expect(await suite.journey.requestKey(alice)).toMatchObject({ status: 201 });
      await caughtUp('recoveries');
      const late = new Date(Date.parse(started.body.effectiveAt) + HOUR);
      const [vetoed] = await Promise.all([veto(bob, started.body.recoveryId), passAt(late), passAt(late), passAt(late)]);
      const completions = await eventsOf(alice.orgId, 'RecoveryCompleted');
      const vetoes = await eventsOf(alice.orgId, 'RecoveryVetoed');
      const grants = (await eventsOf(alice.orgId, 'KeyApproved')).filter((event) => event.data.mode === 'RECOVERY');
      expect([completions.length + vetoes.length, grants.length]).toEqual([1, completions.length]);
      expect(vetoed.status).toBe(vetoes.length === 1 ? 200 : 409);
    }
  });
});
