import { recoveryDecider } from '../../src/domain/recovery/recovery.decider';
import type { RecoveryCommand } from '../../src/domain/recovery/recovery.commands';
import type { RecoveryEvent, RecoveryLapseReason } from '../../src/domain/recovery/recovery.events';
import type { Role } from '../../src/domain/shared/roles';
import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import type { KeyCommand } from '../../src/domain/signature-key/key.commands';
import { keyDecider } from '../../src/domain/signature-key/key.decider';
import { challengeFields, generateKeyPair, signedProof, type TestKeyPair } from '../support/ed25519-keys';
import { given, history } from './given-when-then';
import { HOUR, MINUTE, ORG, T0, actor, at, requestKey } from './key-fixtures';

/** The default policy's pendingRequestExpiryHours (168): a recovery that took effect at 72 h waits for a claim until 240 h. */
const CLAIM_WINDOW_HOURS = DEFAULT_ORG_POLICY.pendingRequestExpiryHours;
const CLAIM_BY = (72 + CLAIM_WINDOW_HOURS) * HOUR;
const bobKey = generateKeyPair();
const BOB = actor('bob', 'ADMIN', bobKey);
const start = (options: Partial<Extract<RecoveryCommand, { type: 'StartRecovery' }>> = {}): RecoveryCommand => ({
  type: 'StartRecovery',
  recoveryId: 'rc1',
  agentId: 'alice',
  agentRole: 'SUPER_ADMIN',
  recoveryDelayHours: 72,
  withWorkingApprover: false,
  now: T0,
  ...options,
});
const vetoProof = (key: TestKeyPair, agentId: string, options: { now?: string; recoveryId?: string; recoveredAgentId?: string } = {}) =>
  signedProof(
    key,
    challengeFields({ purpose: 'RECOVERY_VETO', orgId: ORG, agentId, issuedAt: options.now ?? at(HOUR), recoveryId: options.recoveryId ?? 'rc1', recoveredAgentId: options.recoveredAgentId ?? 'alice' }),
  );
const veto = (approver = BOB, key = bobKey, now = at(HOUR)): RecoveryCommand => ({ type: 'VetoRecovery', orgId: ORG, recoveryId: 'rc1', approver, proof: vetoProof(key, approver.agentId, { now }), now });
const complete = (ms: number, options: Partial<Extract<RecoveryCommand, { type: 'CompleteRecovery' }>> = {}): RecoveryCommand => ({
  type: 'CompleteRecovery',
  recoveryId: 'rc1',
  agentRole: 'SUPER_ADMIN',
  pendingRequest: { requestId: 'alice.r2', fingerprint: 'f'.repeat(64) },
  claimWindowHours: CLAIM_WINDOW_HOURS,
  now: at(ms),
  ...options,
});
const run = (commands: RecoveryCommand[]): RecoveryEvent[] => history(recoveryDecider, commands);

describe('break-glass recovery decider (R20)', () => {
  describe('StartRecovery', () => {
    it('starts a recovery of a SUPER_ADMIN that takes effect after the policy delay, reminded halfway', () => {
      given(recoveryDecider).when(start()).thenEvents([
        {
          type: 'RecoveryStarted',
          data: { recoveryId: 'rc1', agentId: 'alice', startedAt: T0, effectiveAt: at(72 * HOUR), remindAt: at(36 * HOUR), delayHours: 72, withWorkingApprover: false },
        },
      ]);
    });

    it('doubles the delay while an approver still holds an ACTIVE key, and says so', () => {
      const [started] = given(recoveryDecider).when(start({ withWorkingApprover: true })).events();
      expect(started.data).toMatchObject({ delayHours: 144, withWorkingApprover: true, effectiveAt: at(144 * HOUR), remindAt: at(72 * HOUR) });
    });

    it('refuses a second recovery while one runs (RECOVERY_IN_PROGRESS), and allows one after a veto or completion', () => {
      given(recoveryDecider, run([start()])).when(start({ recoveryId: 'rc2' })).thenRefused('CONFLICT', 'RECOVERY_IN_PROGRESS', { recoveryId: 'rc1' });
      const vetoed = run([start(), veto()]);
      expect(given(recoveryDecider, vetoed).when(start({ recoveryId: 'rc2', now: at(2 * HOUR) })).events()[0].type).toBe('RecoveryStarted');
      const completed = run([start(), complete(72 * HOUR)]);
      expect(given(recoveryDecider, completed).when(start({ recoveryId: 'rc2', now: at(73 * HOUR) })).events()[0].type).toBe('RecoveryStarted');
      given(recoveryDecider, vetoed).when(start()).thenRefused('CONFLICT', 'RECOVERY_EXISTS');
    });

    it('restores a SUPER_ADMIN only', () => {
      given(recoveryDecider).when(start({ agentRole: 'ADMIN' })).thenRefused('UNPROCESSABLE', 'NOT_SUPER_ADMIN', { agentRole: 'ADMIN' });
      given(recoveryDecider).when(start({ agentRole: undefined })).thenRefused('UNPROCESSABLE', 'NOT_SUPER_ADMIN', { agentRole: null });
    });
  });

  describe('RemindOfRecovery', () => {
    const remind = (ms: number): RecoveryCommand => ({ type: 'RemindOfRecovery', recoveryId: 'rc1', now: at(ms) });
    it('reminds once, not before halfway, and not once the recovery ended', () => {
      given(recoveryDecider, run([start()])).when(remind(36 * HOUR - 1)).thenRefused('CONFLICT', 'NOT_DUE');
      given(recoveryDecider, run([start()])).when(remind(36 * HOUR)).thenEvents([{ type: 'RecoveryReminderSent', data: { recoveryId: 'rc1', agentId: 'alice' } }]);
      given(recoveryDecider, run([start(), remind(36 * HOUR)])).when(remind(40 * HOUR)).thenRefused('CONFLICT', 'ALREADY_REMINDED');
      given(recoveryDecider, run([start(), veto()])).when(remind(40 * HOUR)).thenRefused('CONFLICT', 'RECOVERY_NOT_RUNNING', { recoveryStatus: 'VETOED' });
    });
  });

  describe('VetoRecovery', () => {
    it('records an approver\'s signed veto, which ends the recovery', () => {
      const events = given(recoveryDecider, run([start()])).when(veto()).events();
      expect(events).toEqual([{ type: 'RecoveryVetoed', data: { recoveryId: 'rc1', agentId: 'alice', vetoedBy: 'bob', decision: expect.objectContaining({ publicKey: bobKey.publicKey }) } }]);
      const state = given(recoveryDecider, [...run([start()]), ...events]).state;
      expect(state.recoveries.get('rc1')).toMatchObject({ status: 'VETOED', vetoedBy: 'bob' });
      given(recoveryDecider, [...run([start()]), ...events]).when(complete(72 * HOUR)).thenRefused('CONFLICT', 'RECOVERY_NOT_RUNNING');
    });

    it('is allowed after the delay, until the recovery completes', () => {
      expect(given(recoveryDecider, run([start()])).when(veto(BOB, bobKey, at(100 * HOUR))).events()).toHaveLength(1);
      given(recoveryDecider, run([start(), complete(72 * HOUR)])).when(veto(BOB, bobKey, at(73 * HOUR))).thenRefused('CONFLICT', 'RECOVERY_NOT_RUNNING', { recoveryStatus: 'COMPLETED' });
    });

    it('refuses a MEMBER, an approver without an ACTIVE key, a key that did not sign, a challenge for another recovery or agent', () => {
      const running = run([start()]);
      const carolKey = generateKeyPair();
      given(recoveryDecider, running).when(veto(actor('carol', 'MEMBER', carolKey), carolKey)).thenRefused('FORBIDDEN', 'NOT_AN_APPROVER');
      given(recoveryDecider, running).when({ ...(veto() as Extract<RecoveryCommand, { type: 'VetoRecovery' }>), approver: actor('bob', 'ADMIN') }).thenRefused('FORBIDDEN', 'APPROVER_HAS_NO_ACTIVE_KEY');
      given(recoveryDecider, running).when(veto(BOB, carolKey)).thenRefused('UNPROCESSABLE', 'INVALID_SIGNATURE');
      const other = { type: 'VetoRecovery' as const, orgId: ORG, recoveryId: 'rc1', approver: BOB, proof: vetoProof(bobKey, 'bob', { recoveredAgentId: 'mallory' }), now: at(HOUR) };
      given(recoveryDecider, running).when(other).thenRefused('UNPROCESSABLE', 'CHALLENGE_MISMATCH', { field: 'recoveredAgentId' });
      // A veto signed for one recovery does not veto the next.
      const used = veto() as Extract<RecoveryCommand, { type: 'VetoRecovery' }>;
      const restarted = history(recoveryDecider, [used, start({ recoveryId: 'rc1b', now: at(2 * HOUR) })], running);
      given(recoveryDecider, restarted).when({ ...used, recoveryId: 'rc1b' }).thenRefused('UNPROCESSABLE', 'CHALLENGE_MISMATCH', { field: 'recoveryId' });
      given(recoveryDecider, []).when(veto()).thenRefused('NOT_FOUND', 'RECOVERY_NOT_FOUND');
    });
  });

  describe('CompleteRecovery', () => {
    it('completes once the delay passed, naming the PENDING request it grants', () => {
      given(recoveryDecider, run([start()])).when(complete(72 * HOUR - 1)).thenRefused('CONFLICT', 'NOT_DUE', { effectiveAt: at(72 * HOUR) });
      given(recoveryDecider, run([start()])).when(complete(72 * HOUR)).thenEvents([
        { type: 'RecoveryCompleted', data: { recoveryId: 'rc1', agentId: 'alice', requestId: 'alice.r2', fingerprint: 'f'.repeat(64) } },
      ]);
    });

    it('waits while the agent has no PENDING request, and refuses an agent no longer SUPER_ADMIN', () => {
      given(recoveryDecider, run([start()])).when(complete(73 * HOUR, { pendingRequest: undefined })).thenRefused('CONFLICT', 'NO_PENDING_REQUEST');
      given(recoveryDecider, run([start()])).when(complete(73 * HOUR, { agentRole: 'ADMIN' })).thenRefused('CONFLICT', 'NOT_SUPER_ADMIN');
    });
  });

  describe('LapseRecovery', () => {
    const lapse = (agentRole?: Role, recoveryId = 'rc1', ms = 2 * HOUR, claimWindowHours = CLAIM_WINDOW_HOURS): RecoveryCommand => ({
      type: 'LapseRecovery',
      recoveryId,
      agentRole,
      claimWindowHours,
      now: at(ms),
    });

    it('ends the lock-out of the recovery path: a recovery whose agent was demoted neither completes nor makes way for another, until it lapses', () => {
      const running = run([start()]);
      given(recoveryDecider, running).when(complete(73 * HOUR, { agentRole: 'ADMIN' })).thenRefused('CONFLICT', 'NOT_SUPER_ADMIN');
      given(recoveryDecider, running).when(start({ recoveryId: 'rc2', agentId: 'dave', now: at(73 * HOUR) })).thenRefused('CONFLICT', 'RECOVERY_IN_PROGRESS');
      const lapsed = history(recoveryDecider, [lapse('ADMIN')], running);
      expect(given(recoveryDecider, lapsed).when(start({ recoveryId: 'rc2', agentId: 'dave', now: at(73 * HOUR) })).events()).toEqual([
        expect.objectContaining({ type: 'RecoveryStarted', data: expect.objectContaining({ recoveryId: 'rc2', agentId: 'dave' }) }),
      ]);
    });

    it('lapses a running recovery whose agent is no longer a SUPER_ADMIN, saying whether they were demoted or removed', () => {
      given(recoveryDecider, run([start()])).when(lapse('ADMIN')).thenEvents([{ type: 'RecoveryLapsed', data: { recoveryId: 'rc1', agentId: 'alice', reason: 'AGENT_DEMOTED' } }]);
      given(recoveryDecider, run([start()])).when(lapse('AUDITOR')).thenEvents([{ type: 'RecoveryLapsed', data: { recoveryId: 'rc1', agentId: 'alice', reason: 'AGENT_DEMOTED' } }]);
      given(recoveryDecider, run([start()])).when(lapse(undefined)).thenEvents([{ type: 'RecoveryLapsed', data: { recoveryId: 'rc1', agentId: 'alice', reason: 'AGENT_REMOVED' } }]);
    });

    it('ends the recovery as LAPSED: it is no longer completed, reminded of, vetoed or lapsed again', () => {
      const lapsed = run([start(), lapse('MEMBER')]);
      expect(given(recoveryDecider, lapsed).state.recoveries.get('rc1')).toMatchObject({ status: 'LAPSED', lapseReason: 'AGENT_DEMOTED' });
      given(recoveryDecider, lapsed).when(complete(73 * HOUR)).thenRefused('CONFLICT', 'RECOVERY_NOT_RUNNING', { recoveryStatus: 'LAPSED' });
      given(recoveryDecider, lapsed).when({ type: 'RemindOfRecovery', recoveryId: 'rc1', now: at(40 * HOUR) }).thenRefused('CONFLICT', 'RECOVERY_NOT_RUNNING');
      given(recoveryDecider, lapsed).when(veto()).thenRefused('CONFLICT', 'RECOVERY_NOT_RUNNING');
      given(recoveryDecider, lapsed).when(lapse(undefined)).thenRefused('CONFLICT', 'RECOVERY_NOT_RUNNING');
    });

    it('refuses while the agent is still a SUPER_ADMIN within the claim window (NOT_DUE, saying when it lapses), and a recovery that is not running or does not exist', () => {
      given(recoveryDecider, run([start()])).when(lapse('SUPER_ADMIN')).thenRefused('CONFLICT', 'NOT_DUE', { lapsesAt: at(CLAIM_BY) });
      given(recoveryDecider, run([start()])).when(lapse('SUPER_ADMIN', 'rc1', CLAIM_BY - 1)).thenRefused('CONFLICT', 'NOT_DUE', { lapsesAt: at(CLAIM_BY) });
      given(recoveryDecider, run([start(), veto()])).when(lapse('ADMIN')).thenRefused('CONFLICT', 'RECOVERY_NOT_RUNNING', { recoveryStatus: 'VETOED' });
      given(recoveryDecider, run([start(), complete(72 * HOUR)])).when(lapse('ADMIN')).thenRefused('CONFLICT', 'RECOVERY_NOT_RUNNING', { recoveryStatus: 'COMPLETED' });
      given(recoveryDecider, run([start()])).when(lapse('ADMIN', 'rc9')).thenRefused('NOT_FOUND', 'RECOVERY_NOT_FOUND');
    });
  });

  describe('the claim window: a recovery that took effect waits for its agent\'s key request as long as a request waits for approval', () => {
    const lapse = (ms: number, options: Partial<Extract<RecoveryCommand, { type: 'LapseRecovery' }>> = {}): RecoveryCommand => ({
      type: 'LapseRecovery',
      recoveryId: 'rc1',
      agentRole: 'SUPER_ADMIN',
      claimWindowHours: CLAIM_WINDOW_HOURS,
      now: at(ms),
      ...options,
    });
    const lapsed = (reason: RecoveryLapseReason): RecoveryEvent => ({ type: 'RecoveryLapsed', data: { recoveryId: 'rc1', agentId: 'alice', reason } });
    const unclaimed = lapsed('UNCLAIMED');

    it('lapses UNCLAIMED once the window after effectiveAt ended, not a moment before', () => {
      given(recoveryDecider, run([start()])).when(lapse(CLAIM_BY - 1)).thenRefused('CONFLICT', 'NOT_DUE', { lapsesAt: at(CLAIM_BY) });
      given(recoveryDecider, run([start()])).when(lapse(CLAIM_BY)).thenEvents([unclaimed]);
      given(recoveryDecider, run([start()])).when(lapse(CLAIM_BY + 100 * HOUR)).thenEvents([unclaimed]);
    });

    it('still completes inside the window, up to its last moment, and grants nothing after it', () => {
      const completed: RecoveryEvent = { type: 'RecoveryCompleted', data: { recoveryId: 'rc1', agentId: 'alice', requestId: 'alice.r2', fingerprint: 'f'.repeat(64) } };
      given(recoveryDecider, run([start()])).when(complete(CLAIM_BY - 1)).thenEvents([completed]);
      given(recoveryDecider, run([start()])).when(complete(CLAIM_BY)).thenRefused('CONFLICT', 'CLAIM_WINDOW_ENDED', { claimBy: at(CLAIM_BY) });
      given(recoveryDecider, run([start(), complete(100 * HOUR)])).when(lapse(CLAIM_BY)).thenRefused('CONFLICT', 'RECOVERY_NOT_RUNNING', { recoveryStatus: 'COMPLETED' });
    });

    it('counts the window from effectiveAt: a doubled delay moves it, and so does the policy\'s request expiry', () => {
      const doubled = run([start({ withWorkingApprover: true })]);
      given(recoveryDecider, doubled).when(lapse(CLAIM_BY)).thenRefused('CONFLICT', 'NOT_DUE', { lapsesAt: at((144 + CLAIM_WINDOW_HOURS) * HOUR) });
      given(recoveryDecider, doubled).when(lapse((144 + CLAIM_WINDOW_HOURS) * HOUR)).thenEvents([unclaimed]);
      given(recoveryDecider, run([start()])).when(lapse(73 * HOUR, { claimWindowHours: 1 })).thenEvents([unclaimed]);
      given(recoveryDecider, run([start()])).when(complete(73 * HOUR, { claimWindowHours: 1 })).thenRefused('CONFLICT', 'CLAIM_WINDOW_ENDED', { claimBy: at(73 * HOUR) });
    });

    it('ends the recovery, so another may start; a demoted or removed agent still lapses at once, with that reason', () => {
      const ended = run([start(), lapse(CLAIM_BY)]);
      expect(given(recoveryDecider, ended).state.recoveries.get('rc1')).toMatchObject({ status: 'LAPSED', lapseReason: 'UNCLAIMED' });
      given(recoveryDecider, ended).when(complete(CLAIM_BY - 1)).thenRefused('CONFLICT', 'RECOVERY_NOT_RUNNING', { recoveryStatus: 'LAPSED' });
      expect(given(recoveryDecider, ended).when(start({ recoveryId: 'rc2', now: at(CLAIM_BY) })).events()[0].type).toBe('RecoveryStarted');
      given(recoveryDecider, run([start()])).when(lapse(HOUR, { agentRole: 'ADMIN' })).thenEvents([lapsed('AGENT_DEMOTED')]);
      given(recoveryDecider, run([start()])).when(lapse(CLAIM_BY, { agentRole: undefined })).thenEvents([lapsed('AGENT_REMOVED')]);
    });
  });

  describe('the key stream\'s side: GrantRecoveredKey', () => {
    const aliceOld = generateKeyPair();
    const aliceNew = generateKeyPair();
    const ALICE = actor('alice', 'SUPER_ADMIN', aliceOld);
    /** The request's challenge, issued at T0, is accepted until T0 + 5 min + 2 min of skew: its expiry counts from there. */
    const EXPIRES_AT = 7 * MINUTE + DEFAULT_ORG_POLICY.pendingRequestExpiryHours * HOUR;
    const grant = (ms = 72 * HOUR): KeyCommand => ({ type: 'GrantRecoveredKey', recoveryId: 'rc1', requestId: 'alice.r2', policy: DEFAULT_ORG_POLICY, now: at(ms) });

    it('grants the PENDING request with mode RECOVERY, no approver, naming the recovery; an ACTIVE key is replaced first', () => {
      const pending = history(keyDecider, [requestKey(actor('alice', 'SUPER_ADMIN'), aliceNew, { requestId: 'alice.r2' })]);
      const [approved] = given(keyDecider, pending).when(grant()).events();
      expect(approved).toEqual({ type: 'KeyApproved', data: expect.objectContaining({ requestId: 'alice.r2', agentId: 'alice', mode: 'RECOVERY', recoveryId: 'rc1' }) });
      expect(approved.data).not.toHaveProperty('approvedBy');

      const withActive = history(keyDecider, [
        requestKey(ALICE, aliceOld, { requestId: 'alice.r1', firstKeyAssigned: false }),
        requestKey(ALICE, aliceNew, { requestId: 'alice.r2' }),
      ]);
      const events = given(keyDecider, withActive).when(grant()).events();
      expect(events.map((event) => event.type)).toEqual(['KeyRevoked', 'KeyApproved']);
      given(keyDecider, [...withActive, ...events]).when(grant()).thenRefused('CONFLICT', 'REQUEST_NOT_PENDING');
    });

    it('grants no request past its expiry, though the scheduler has not recorded the expiry yet (R17: as an approval)', () => {
      const pending = history(keyDecider, [requestKey(actor('alice', 'SUPER_ADMIN'), aliceNew, { requestId: 'alice.r2' })]);
      given(keyDecider, pending).when(grant(EXPIRES_AT)).thenRefused('CONFLICT', 'REQUEST_EXPIRED', { expiresAt: at(EXPIRES_AT) });
      const [approved] = given(keyDecider, pending).when(grant(EXPIRES_AT - 1)).events();
      expect(approved).toMatchObject({ type: 'KeyApproved', data: { requestId: 'alice.r2', mode: 'RECOVERY' } });
    });
  });
});
