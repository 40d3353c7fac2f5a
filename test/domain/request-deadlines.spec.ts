import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import type { KeyCommand, RequestDeadlines } from '../../src/domain/signature-key/key.commands';
import { keyDecider } from '../../src/domain/signature-key/key.decider';
import type { KeyEvent } from '../../src/domain/signature-key/key.events';
import { deadlinesOf } from '../../src/domain/signature-key/request-deadlines';
import { generateKeyPair } from '../support/ed25519-keys';
import { given, history } from './given-when-then';
import { HOUR, MINUTE, actor, approveKey, at, codeOf, rejectKey, requestKey } from './key-fixtures';

const aliceKey = generateKeyPair();
const carolKey = generateKeyPair();
const carolAgainKey = generateKeyPair();
const ALICE = actor('alice', 'SUPER_ADMIN', aliceKey);
const CAROL = actor('carol', 'MEMBER');
const r1 = { requestId: 'r1', publicKey: carolKey.publicKey };
const POLICY: RequestDeadlines = { pendingRequestExpiryHours: DEFAULT_ORG_POLICY.pendingRequestExpiryHours, reminderAfterHours: DEFAULT_ORG_POLICY.reminderAfterHours };
/** The KEY_REQUEST challenge (issued at T0) is accepted until T0 + 5 min + 2 min of skew: deadlines count from there. */
const REQUESTED_BY = 7 * MINUTE;
const REMIND_AT = REQUESTED_BY + 48 * HOUR;
const EXPIRES_AT = REQUESTED_BY + 168 * HOUR;

const run = (commands: KeyCommand[], events: KeyEvent[] = []): KeyEvent[] => history(keyDecider, commands, events);
const carolPending = (): KeyEvent[] => run([requestKey(CAROL, carolKey, { requestId: 'r1' })]);
const expire = (ms: number, policy = POLICY): KeyCommand => ({ type: 'ExpireKeyRequest', requestId: 'r1', policy, now: at(ms) });
const remind = (ms: number, policy = POLICY): KeyCommand => ({ type: 'RemindApprovers', requestId: 'r1', policy, now: at(ms) });

describe('key request deadlines (R20)', () => {
  it('counts from the latest instant the request can have been made, never earlier', () => {
    const request = given(keyDecider, carolPending()).state.requests.get('r1')!;
    expect(deadlinesOf(request, POLICY)).toEqual({ remindAt: at(REMIND_AT), expiresAt: at(EXPIRES_AT) });
  });

  describe('ExpireKeyRequest', () => {
    it('records a PENDING request past the policy expiry as expired, with the expiry it had', () => {
      given(keyDecider, carolPending())
        .when(expire(EXPIRES_AT))
        .thenEvents([{ type: 'KeyRequestExpired', data: { requestId: 'r1', agentId: 'carol', expiryHours: 168 } }]);
    });

    it('follows the policy as it stands when the command is decided', () => {
      const short = { pendingRequestExpiryHours: 2, reminderAfterHours: 1 };
      given(keyDecider, carolPending()).when(expire(REQUESTED_BY + 2 * HOUR, short)).thenEvents([
        { type: 'KeyRequestExpired', data: { requestId: 'r1', agentId: 'carol', expiryHours: 2 } },
      ]);
      given(keyDecider, carolPending()).when(expire(REQUESTED_BY + 2 * HOUR - 1, short)).thenRefused('CONFLICT', 'NOT_DUE');
    });

    it('refuses before the expiry, and once the request is no longer PENDING (another instance acted first)', () => {
      given(keyDecider, carolPending()).when(expire(EXPIRES_AT - 1)).thenRefused('CONFLICT', 'NOT_DUE', { expiresAt: at(EXPIRES_AT) });
      const expired = run([expire(EXPIRES_AT)], carolPending());
      given(keyDecider, expired).when(expire(EXPIRES_AT + HOUR)).thenRefused('CONFLICT', 'REQUEST_NOT_PENDING', { requestStatus: 'EXPIRED' });
      const rejected = run([rejectKey(ALICE, aliceKey, r1)], carolPending());
      given(keyDecider, rejected).when(expire(EXPIRES_AT)).thenRefused('CONFLICT', 'REQUEST_NOT_PENDING', { requestStatus: 'REJECTED' });
      given(keyDecider, []).when(expire(EXPIRES_AT)).thenRefused('NOT_FOUND', 'REQUEST_NOT_FOUND');
    });

    it('leaves the request EXPIRED: it can no longer be approved, and the agent may request again without replacing it', () => {
      const expired = run([expire(EXPIRES_AT)], carolPending());
      const state = given(keyDecider, expired).state;
      expect(state.requests.get('r1')?.status).toBe('EXPIRED');
      expect(state.pendingRequestId).toBeUndefined();
      given(keyDecider, expired)
        .when(approveKey(ALICE, aliceKey, r1, codeOf('carol', carolKey), { now: at(EXPIRES_AT + MINUTE) }))
        .thenRefused('CONFLICT', 'REQUEST_NOT_PENDING', { requestStatus: 'EXPIRED' });
      const again = given(keyDecider, expired).when(requestKey(CAROL, carolAgainKey, { requestId: 'r2', now: at(EXPIRES_AT + MINUTE) })).events();
      expect(again.map((event) => event.type)).toEqual(['KeyRequested']);
    });
  });

  describe('RemindApprovers', () => {
    it('reminds once past the reminder delay, and not before', () => {
      given(keyDecider, carolPending()).when(remind(REMIND_AT - 1)).thenRefused('CONFLICT', 'NOT_DUE', { remindAt: at(REMIND_AT) });
      given(keyDecider, carolPending())
        .when(remind(REMIND_AT))
        .thenEvents([{ type: 'KeyRequestReminderSent', data: { requestId: 'r1', agentId: 'carol', reminderAfterHours: 48 } }]);
      const reminded = run([remind(REMIND_AT)], carolPending());
      given(keyDecider, reminded).when(remind(REMIND_AT + HOUR)).thenRefused('CONFLICT', 'ALREADY_REMINDED');
    });

    it('a reminded request still expires, and can still be approved before that', () => {
      const reminded = run([remind(REMIND_AT)], carolPending());
      expect(given(keyDecider, reminded).state.requests.get('r1')).toMatchObject({ status: 'PENDING', reminded: true });
      given(keyDecider, reminded).when(expire(EXPIRES_AT)).thenEvents([{ type: 'KeyRequestExpired', data: { requestId: 'r1', agentId: 'carol', expiryHours: 168 } }]);
      const approved = given(keyDecider, reminded).when(approveKey(ALICE, aliceKey, r1, codeOf('carol', carolKey), { now: at(REMIND_AT + HOUR) })).events();
      expect(approved.map((event) => event.type)).toEqual(['KeyApproved']);
    });
  });

  describe('decisions past the expiry (R17: the policy at the point of decision)', () => {
    const code = codeOf('carol', carolKey);
    const SHORT = { ...DEFAULT_ORG_POLICY, pendingRequestExpiryHours: 2, reminderAfterHours: 1 };

    it('refuses to approve or reject a request past its expiry, though the scheduler has not recorded it yet; nothing is written', () => {
      const pending = given(keyDecider, carolPending());
      pending.when(approveKey(ALICE, aliceKey, r1, code, { now: at(EXPIRES_AT) })).thenRefused('CONFLICT', 'REQUEST_EXPIRED', { expiresAt: at(EXPIRES_AT) });
      pending.when(rejectKey(ALICE, aliceKey, r1, { now: at(EXPIRES_AT) })).thenRefused('CONFLICT', 'REQUEST_EXPIRED', { expiresAt: at(EXPIRES_AT) });
      // A wrong code is no attempt either: the request cannot be decided, so it cannot be locked.
      pending.when(approveKey(ALICE, aliceKey, r1, '000-000-000-000-000', { now: at(EXPIRES_AT + HOUR) })).thenRefused('CONFLICT', 'REQUEST_EXPIRED');
    });

    it('applies a shortened expiry to a request already pending', () => {
      const pending = given(keyDecider, carolPending());
      pending.when(approveKey(ALICE, aliceKey, r1, code, { policy: SHORT, now: at(REQUESTED_BY + 2 * HOUR) })).thenRefused('CONFLICT', 'REQUEST_EXPIRED');
      const [approved] = pending.when(approveKey(ALICE, aliceKey, r1, code, { policy: SHORT, now: at(REQUESTED_BY + 2 * HOUR - 1) })).events();
      expect(approved).toMatchObject({ type: 'KeyApproved', data: { requestId: 'r1', mode: 'APPROVAL' } });
    });

    it('lets the agent request again without replacePending once their request is past its expiry, though the scheduler has not recorded it yet', () => {
      const pending = given(keyDecider, carolPending());
      // Nobody can decide it any more (above): it is replaced, as with replacePending, instead of blocking the agent.
      const again = pending.when(requestKey(CAROL, carolAgainKey, { requestId: 'r2', now: at(EXPIRES_AT) })).events();
      expect(again.map((event) => [event.type, event.data.requestId])).toEqual([
        ['KeyRequestCancelled', 'r1'],
        ['KeyRequested', 'r2'],
      ]);
      pending.when(requestKey(CAROL, carolAgainKey, { requestId: 'r2', now: at(EXPIRES_AT - 1) })).thenRefused('CONFLICT', 'REQUEST_PENDING');
      // A shortened expiry applies here too.
      expect(pending.when(requestKey(CAROL, carolAgainKey, { requestId: 'r2', policy: SHORT, now: at(REQUESTED_BY + 2 * HOUR) })).events()).toHaveLength(2);
    });

    it('decides a request until its expiry', () => {
      const [approved] = given(keyDecider, carolPending()).when(approveKey(ALICE, aliceKey, r1, code, { now: at(EXPIRES_AT - 1) })).events();
      expect(approved).toMatchObject({ type: 'KeyApproved', data: { requestId: 'r1' } });
      const [rejected] = given(keyDecider, carolPending()).when(rejectKey(ALICE, aliceKey, r1, { now: at(EXPIRES_AT - 1) })).events();
      expect(rejected).toMatchObject({ type: 'KeyRejected', data: { requestId: 'r1' } });
    });
  });
});
