import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import type { OrganizationEvent } from '../../src/domain/organization/organization.events';
import { recoveryDecider } from '../../src/domain/recovery/recovery.decider';
import type { RecoveryEvent, RecoveryLapseReason } from '../../src/domain/recovery/recovery.events';
import { OPERATOR_ACTOR } from '../../src/domain/shared/actor';
import { OrgReplay } from '../../src/transparency/log-replay';
import { LogViolation } from '../../src/transparency/replay/log-violation';
import { history } from '../domain/given-when-then';
import { keyDecider } from '../../src/domain/signature-key/key.decider';
import { HOUR, ORG, T0, actor, at, requestKey } from '../domain/key-fixtures';
import { generateKeyPair } from '../support/ed25519-keys';

const lapsed = (reason: RecoveryLapseReason, agentId = 'alice'): RecoveryEvent => ({ type: 'RecoveryLapsed', data: { recoveryId: 'rc1', agentId, reason } });
const demoted: OrganizationEvent = { type: 'AgentRoleChanged', data: { agentId: 'alice', from: 'SUPER_ADMIN', to: 'ADMIN' } };
const repromoted: OrganizationEvent = { type: 'AgentRoleChanged', data: { agentId: 'alice', from: 'ADMIN', to: 'SUPER_ADMIN' } };
const removed: OrganizationEvent = { type: 'AgentRemoved', data: { agentId: 'alice', role: 'SUPER_ADMIN' } };

/** An org of two SUPER_ADMINs without a key, alice and dave, where the operator's recovery rc1 of alice runs since T0. */
function replayWithRunningRecovery(startedAt = T0): OrgReplay {
  const replay = new OrgReplay(ORG);
  replay.organization({ type: 'OrganizationCreated', data: { orgId: ORG, name: 'Acme', policy: DEFAULT_ORG_POLICY, superAdminId: 'alice' }, actor: OPERATOR_ACTOR, occurredAt: T0 });
  replay.organization({ type: 'AgentAdded', data: { agentId: 'alice', email: 'alice@example.com', displayName: 'Alice', role: 'SUPER_ADMIN' }, actor: OPERATOR_ACTOR, occurredAt: T0 });
  replay.organization({ type: 'AgentAdded', data: { agentId: 'dave', email: 'dave@example.com', displayName: 'Dave', role: 'SUPER_ADMIN' }, actor: 'alice', occurredAt: T0 });
  const [started] = history(recoveryDecider, [
    { type: 'StartRecovery', recoveryId: 'rc1', agentId: 'alice', agentRole: 'SUPER_ADMIN', recoveryDelayHours: DEFAULT_ORG_POLICY.recoveryDelayHours, withWorkingApprover: false, now: startedAt },
  ]);
  replay.recovery({ ...started, actor: OPERATOR_ACTOR, occurredAt: startedAt });
  return replay;
}
const directory = (replay: OrgReplay, event: OrganizationEvent) => replay.organization({ ...event, actor: 'dave', occurredAt: at(HOUR) });
const play = (replay: OrgReplay, event: RecoveryEvent, ms = 2 * HOUR) => () => replay.recovery({ ...event, actor: 'policy', occurredAt: at(ms) });

describe('offline replay of a recovery lapse (R20)', () => {
  it('lets a lapse through once its agent was demoted, or removed, with that reason', () => {
    const demotion = replayWithRunningRecovery();
    directory(demotion, demoted);
    expect(play(demotion, lapsed('AGENT_DEMOTED'))).not.toThrow();
    const removal = replayWithRunningRecovery();
    directory(removal, removed);
    expect(play(removal, lapsed('AGENT_REMOVED'))).not.toThrow();
  });

  it('reports a lapse while its agent was still a SUPER_ADMIN at that point: never demoted, or promoted back', () => {
    expect(play(replayWithRunningRecovery(), lapsed('AGENT_DEMOTED'))).toThrow(/RecoveryLapsed: "alice" is still a SUPER_ADMIN/);
    const back = replayWithRunningRecovery();
    directory(back, demoted);
    directory(back, repromoted);
    expect(play(back, lapsed('AGENT_DEMOTED'))).toThrow(LogViolation);
  });

  it('reports a lapse giving another reason than the directory then, or naming another agent', () => {
    const demotion = replayWithRunningRecovery();
    directory(demotion, demoted);
    expect(play(demotion, lapsed('AGENT_REMOVED'))).toThrow(/lapsed with .*AGENT_REMOVED.*, but "alice" was ADMIN then/);
    const removal = replayWithRunningRecovery();
    directory(removal, removed);
    expect(play(removal, lapsed('AGENT_REMOVED', 'dave'))).toThrow(/names "dave", but it restores "alice"/);
  });

  it('reports a completion, reminder or second lapse after a lapse; a new recovery may start', () => {
    const replay = replayWithRunningRecovery();
    directory(replay, demoted);
    play(replay, lapsed('AGENT_DEMOTED'))();
    const completed: RecoveryEvent = { type: 'RecoveryCompleted', data: { recoveryId: 'rc1', agentId: 'alice', requestId: 'r1', fingerprint: 'f'.repeat(64) } };
    expect(play(replay, completed, 73 * HOUR)).toThrow(/recovery rc1 was LAPSED, not RUNNING, at that point/);
    expect(play(replay, { type: 'RecoveryReminderSent', data: { recoveryId: 'rc1', agentId: 'alice' } }, 40 * HOUR)).toThrow(/was LAPSED, not RUNNING/);
    expect(play(replay, lapsed('AGENT_DEMOTED'))).toThrow(/was LAPSED, not RUNNING/);
    const [again] = history(recoveryDecider, [
      { type: 'StartRecovery', recoveryId: 'rc2', agentId: 'dave', agentRole: 'SUPER_ADMIN', recoveryDelayHours: DEFAULT_ORG_POLICY.recoveryDelayHours, withWorkingApprover: false, now: at(3 * HOUR) },
    ]);
    expect(() => replay.recovery({ ...again, actor: OPERATOR_ACTOR, occurredAt: at(3 * HOUR) })).not.toThrow();
  });

  it('reports a reminder, a completion or a grant after its agent was removed and added again, or demoted and promoted again, though no lapse was recorded', () => {
    const readded: OrganizationEvent = { type: 'AgentAdded', data: { agentId: 'alice', email: 'not-alice@example.com', displayName: 'alice', role: 'SUPER_ADMIN' } };
    const completed: RecoveryEvent = { type: 'RecoveryCompleted', data: { recoveryId: 'rc1', agentId: 'alice', requestId: 'r1', fingerprint: 'f'.repeat(64) } };
    const reminder: RecoveryEvent = { type: 'RecoveryReminderSent', data: { recoveryId: 'rc1', agentId: 'alice' } };
    for (const [gone, back] of [[removed, readded], [demoted, repromoted]]) {
      const replay = replayWithRunningRecovery();
      directory(replay, gone);
      directory(replay, back);
      expect(play(replay, reminder, 40 * HOUR)).toThrow(/recovery rc1 was reminded of after "alice" stopped being a SUPER_ADMIN while it ran, which ended it/);
      expect(play(replay, completed, 73 * HOUR)).toThrow(/recovery rc1 was completed after "alice" stopped being a SUPER_ADMIN/);
      // The agent back asks for a key: the recovery, which ended, grants it no more.
      const requested = history(keyDecider, [requestKey(actor('alice', 'SUPER_ADMIN'), generateKeyPair(), { requestId: 'r1', now: at(2 * HOUR) })]);
      for (const event of requested) replay.key('alice', { ...event, actor: 'alice', occurredAt: at(2 * HOUR) });
      const [grant] = history(keyDecider, [{ type: 'GrantRecoveredKey', recoveryId: 'rc1', requestId: 'r1', policy: DEFAULT_ORG_POLICY, now: at(73 * HOUR) }], requested).slice(requested.length);
      expect(() => replay.key('alice', { ...grant, actor: 'policy', occurredAt: at(73 * HOUR) })).toThrow(/recovery rc1 was granted a key after "alice" stopped being a SUPER_ADMIN/);
    }
  });

  it('reports a lapse recorded for another actor than the scheduler or, in its commit, the directory change that ended it', () => {
    const lapse = (reason: RecoveryLapseReason, who: string, change?: OrganizationEvent) => () => {
      const replay = replayWithRunningRecovery();
      if (change) directory(replay, change);
      replay.recovery({ ...lapsed(reason), actor: who, occurredAt: at(2 * HOUR) });
    };
    // dave's directory change lapses it in its own commit (manage-agents), the scheduler at a later pass.
    expect(lapse('AGENT_DEMOTED', 'dave', demoted)).not.toThrow();
    expect(lapse('AGENT_REMOVED', 'policy', removed)).not.toThrow();
    expect(lapse('AGENT_DEMOTED', 'alice', demoted)).toThrow('RecoveryLapsed was recorded for "alice", but only the deadline scheduler records it, as "policy" or "dave", whose directory change ended it');
    expect(lapse('AGENT_REMOVED', OPERATOR_ACTOR, removed)).toThrow(/RecoveryLapsed was recorded for "operator"/);
    const unclaimed = () => replayWithRunningRecovery().recovery({ ...lapsed('UNCLAIMED'), actor: 'dave', occurredAt: at((72 + DEFAULT_ORG_POLICY.pendingRequestExpiryHours) * HOUR) });
    expect(unclaimed).toThrow('RecoveryLapsed was recorded for "dave", but only the deadline scheduler records it, as "policy"');
  });

  it('reports a reminder, a grant or a completion recorded for another actor than the deadline scheduler', () => {
    const reminder = () => replayWithRunningRecovery().recovery({ type: 'RecoveryReminderSent', data: { recoveryId: 'rc1', agentId: 'alice' }, actor: OPERATOR_ACTOR, occurredAt: at(40 * HOUR) });
    expect(reminder).toThrow('RecoveryReminderSent was recorded for "operator", but only the deadline scheduler records it, as "policy"');
    const replay = replayWithRunningRecovery();
    const requested = history(keyDecider, [requestKey(actor('alice', 'SUPER_ADMIN'), generateKeyPair(), { requestId: 'r1', now: at(2 * HOUR) })]);
    for (const event of requested) replay.key('alice', { ...event, actor: 'alice', occurredAt: at(2 * HOUR) });
    const [grant] = history(keyDecider, [{ type: 'GrantRecoveredKey', recoveryId: 'rc1', requestId: 'r1', policy: DEFAULT_ORG_POLICY, now: at(73 * HOUR) }], requested).slice(requested.length);
    expect(() => replay.key('alice', { ...grant, actor: 'dave', occurredAt: at(73 * HOUR) })).toThrow('KeyApproved was recorded for "dave", but only the deadline scheduler records it, as "policy"');
    replay.key('alice', { ...grant, actor: 'policy', occurredAt: at(73 * HOUR) });
    const fingerprint = requested.flatMap((event) => (event.type === 'KeyRequested' ? [event.data.fingerprint] : []))[0];
    const completed: RecoveryEvent = { type: 'RecoveryCompleted', data: { recoveryId: 'rc1', agentId: 'alice', requestId: 'r1', fingerprint } };
    expect(() => replay.recovery({ ...completed, actor: 'alice', occurredAt: at(73 * HOUR) })).toThrow('RecoveryCompleted was recorded for "alice", but only the deadline scheduler records it, as "policy"');
    expect(play(replay, completed, 73 * HOUR)).not.toThrow();
  });

  describe('the claim window: the policy\'s request expiry after effectiveAt (72 h + 168 h = 240 h here)', () => {
    const CLAIM_BY = (72 + DEFAULT_ORG_POLICY.pendingRequestExpiryHours) * HOUR;
    /** alice requests a key at 100 h (alive until 268 h) and the recovery grants it at `ms`. */
    function grantAt(replay: OrgReplay, ms: number) {
      const requested = history(keyDecider, [requestKey(actor('alice', 'SUPER_ADMIN'), generateKeyPair(), { requestId: 'r1', now: at(100 * HOUR) })]);
      for (const event of requested) replay.key('alice', { ...event, actor: 'alice', occurredAt: at(100 * HOUR) });
      const [grant] = history(keyDecider, [{ type: 'GrantRecoveredKey', recoveryId: 'rc1', requestId: 'r1', policy: DEFAULT_ORG_POLICY, now: at(ms) }], requested).slice(requested.length);
      return { fingerprint: requested.flatMap((event) => (event.type === 'KeyRequested' ? [event.data.fingerprint] : []))[0], grant: () => replay.key('alice', { ...grant, actor: 'policy', occurredAt: at(ms) }) };
    }
    const completed = (fingerprint: string): RecoveryEvent => ({ type: 'RecoveryCompleted', data: { recoveryId: 'rc1', agentId: 'alice', requestId: 'r1', fingerprint } });

    it('lets an UNCLAIMED lapse through once the window ended, and reports one recorded before', () => {
      expect(play(replayWithRunningRecovery(), lapsed('UNCLAIMED'), CLAIM_BY - 1)).toThrow(`RecoveryLapsed: "alice" is still a SUPER_ADMIN: recovery rc1 waits for their key request until ${at(CLAIM_BY)}, and lapses then.`);
      expect(play(replayWithRunningRecovery(), lapsed('UNCLAIMED'), CLAIM_BY)).not.toThrow();
      // An instant written without milliseconds is compared as the instant it is: half a second early is early.
      const halfPast = replayWithRunningRecovery(at(500));
      const early = () => halfPast.recovery({ ...lapsed('UNCLAIMED'), actor: 'policy', occurredAt: at(CLAIM_BY).replace('.000Z', 'Z') });
      expect(early).toThrow(/waits for their key request until/);
      // Once alice was demoted, the lapse says so, window or not.
      const demotion = replayWithRunningRecovery();
      directory(demotion, demoted);
      expect(play(demotion, lapsed('UNCLAIMED'), CLAIM_BY)).toThrow(/lapsed with .*UNCLAIMED.*, but "alice" was ADMIN then/);
    });

    it('reports a grant recorded before the recovery took effect, and lets one through from that moment', () => {
      expect(grantAt(replayWithRunningRecovery(), 72 * HOUR - 1).grant).toThrow(/key request r1 was granted by recovery rc1 at .*, before it took effect at /);
      expect(grantAt(replayWithRunningRecovery(), 72 * HOUR).grant).not.toThrow();
    });

    it('lets a grant and completion through inside the window, up to its last moment, and reports one recorded after it', () => {
      const inTime = replayWithRunningRecovery();
      const last = grantAt(inTime, CLAIM_BY - 1);
      expect(last.grant).not.toThrow();
      expect(play(inTime, completed(last.fingerprint), CLAIM_BY - 1)).not.toThrow();

      expect(grantAt(replayWithRunningRecovery(), CLAIM_BY).grant).toThrow(/recovery rc1 granted key request r1 at .*, after its claim window ended at/);
      const lateCompletion = replayWithRunningRecovery();
      const granted = grantAt(lateCompletion, CLAIM_BY - 1);
      granted.grant();
      expect(play(lateCompletion, completed(granted.fingerprint), CLAIM_BY)).toThrow(/recovery rc1 completed at .*, after its claim window ended at/);
    });
  });
});
