import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import type { KeyCommand } from '../../src/domain/signature-key/key.commands';
import type { KeyEvent } from '../../src/domain/signature-key/key.events';
import { keyDecider } from '../../src/domain/signature-key/key.decider';
import { recoveryDecider } from '../../src/domain/recovery/recovery.decider';
import { OPERATOR_ACTOR } from '../../src/domain/shared/actor';
import { OrgReplay } from '../../src/transparency/log-replay';
import { LogViolation } from '../../src/transparency/replay/log-violation';
import { history } from '../domain/given-when-then';
import { HOUR, MINUTE, ORG, T0, actor, approveKey, at, codeOf, rejectKey, requestKey } from '../domain/key-fixtures';
import { generateKeyPair } from '../support/ed25519-keys';

const carolKey = generateKeyPair();
/** The request's challenge was issued at T0: it can have been made until T0 + 7 min, and deadlines count from there. */
const REQUESTED_BY = 7 * MINUTE;
const expired = (expiryHours = 168): KeyEvent => ({ type: 'KeyRequestExpired', data: { requestId: 'r1', agentId: 'carol', expiryHours } });
const reminded = (reminderAfterHours = 48): KeyEvent => ({ type: 'KeyRequestReminderSent', data: { requestId: 'r1', agentId: 'carol', reminderAfterHours } });

/** An org (default policy) created with its SUPER_ADMIN alice, where carol's request r1 is PENDING since T0. */
function replayWithPendingRequest(): OrgReplay {
  const replay = new OrgReplay(ORG);
  replay.organization({ type: 'OrganizationCreated', data: { orgId: ORG, name: 'Acme', policy: DEFAULT_ORG_POLICY, superAdminId: 'alice' }, actor: 'operator', occurredAt: T0 });
  replay.organization({ type: 'AgentAdded', data: { agentId: 'alice', email: 'alice@example.com', displayName: 'Alice', role: 'SUPER_ADMIN' }, actor: 'operator', occurredAt: T0 });
  replay.organization({ type: 'AgentAdded', data: { agentId: 'carol', email: 'carol@example.com', displayName: 'Carol', role: 'MEMBER' }, actor: 'alice', occurredAt: T0 });
  for (const event of history(keyDecider, [requestKey(actor('carol', 'MEMBER'), carolKey, { requestId: 'r1' })])) replay.key('carol', { ...event, actor: 'carol', occurredAt: T0 });
  return replay;
}
const play = (replay: OrgReplay, event: KeyEvent, ms: number) => () => replay.key('carol', { ...event, actor: 'policy', occurredAt: at(ms) });

describe('offline replay of request deadlines (R20)', () => {
  it('lets a reminder and an expiry through once their time under the policy has come', () => {
    const replay = replayWithPendingRequest();
    expect(play(replay, reminded(), REQUESTED_BY + 48 * HOUR)).not.toThrow();
    expect(play(replay, expired(), REQUESTED_BY + 168 * HOUR)).not.toThrow();
  });

  it('reports an expiry or a reminder recorded early, or under another policy than the org had', () => {
    expect(play(replayWithPendingRequest(), expired(), REQUESTED_BY + 168 * HOUR - 1)).toThrow(/expired at .* before its expiry/);
    expect(play(replayWithPendingRequest(), expired(1), REQUESTED_BY + 2 * HOUR)).toThrow(/expired after 1 h, but the policy said 168 h/);
    expect(play(replayWithPendingRequest(), reminded(), REQUESTED_BY + HOUR)).toThrow(/reminded at .* before/);
    expect(play(replayWithPendingRequest(), reminded(1), REQUESTED_BY + 2 * HOUR)).toThrow(LogViolation);
  });

  it('reports a second reminder, and a deadline acting on a request no longer PENDING', () => {
    const twice = replayWithPendingRequest();
    play(twice, reminded(), REQUESTED_BY + 48 * HOUR)();
    expect(play(twice, reminded(), REQUESTED_BY + 49 * HOUR)).toThrow(/reminded twice/);
    const again = replayWithPendingRequest();
    play(again, expired(), REQUESTED_BY + 168 * HOUR)();
    expect(play(again, expired(), REQUESTED_BY + 169 * HOUR)).toThrow(/was EXPIRED, not PENDING/);
  });

  it('reports a reminder or an expiry recorded for another actor than the deadline scheduler, which alone records them', () => {
    const by = (event: KeyEvent, ms: number, who: string) => () => replayWithPendingRequest().key('carol', { ...event, actor: who, occurredAt: at(ms) });
    expect(by(reminded(), REQUESTED_BY + 48 * HOUR, 'alice')).toThrow('KeyRequestReminderSent was recorded for "alice", but only the deadline scheduler records it, as "policy"');
    expect(by(expired(), REQUESTED_BY + 168 * HOUR, OPERATOR_ACTOR)).toThrow('KeyRequestExpired was recorded for "operator", but only the deadline scheduler records it, as "policy"');
    expect(by(expired(), REQUESTED_BY + 168 * HOUR, 'policy')).not.toThrow();
  });
});

describe('offline replay of decisions past a request\'s expiry (R17, R20)', () => {
  const aliceKey = generateKeyPair();
  const ALICE = actor('alice', 'SUPER_ADMIN', aliceKey, 'a1');
  const r1 = { requestId: 'r1', publicKey: carolKey.publicKey };
  const EXPIRES_AT = REQUESTED_BY + 168 * HOUR;
  /** What a server that let decisions through past the expiry (as before REQUEST_EXPIRED) decided: the decider under a policy that keeps requests longer. */
  const LENIENT = { ...DEFAULT_ORG_POLICY, pendingRequestExpiryHours: 2160 };

  /** The org of replayWithPendingRequest, alice holding the FIRST_KEY. */
  function replayWithApprover(): OrgReplay {
    const replay = replayWithPendingRequest();
    for (const event of history(keyDecider, [requestKey(ALICE, aliceKey, { requestId: 'a1', firstKeyAssigned: false })])) replay.key('alice', { ...event, actor: 'alice', occurredAt: T0 });
    return replay;
  }
  const decided = (replay: OrgReplay, command: KeyCommand, ms: number) => () => {
    const requested = history(keyDecider, [requestKey(actor('carol', 'MEMBER'), carolKey, { requestId: 'r1' })]);
    for (const event of history(keyDecider, [command], requested).slice(requested.length)) replay.key('carol', { ...event, actor: 'alice', occurredAt: at(ms) });
  };
  const approve = (ms: number, code = codeOf('carol', carolKey)) => approveKey(ALICE, aliceKey, r1, code, { now: at(ms), policy: LENIENT });

  it('lets an approval or a rejection through until the request\'s expiry under the policy then', () => {
    expect(decided(replayWithApprover(), approve(EXPIRES_AT - MINUTE), EXPIRES_AT - MINUTE)).not.toThrow();
    expect(decided(replayWithApprover(), rejectKey(ALICE, aliceKey, r1, { now: at(EXPIRES_AT - MINUTE), policy: LENIENT }), EXPIRES_AT - MINUTE)).not.toThrow();
  });

  it('reports an approval, a rejection or a wrong-code attempt recorded past the expiry, though no expiry was recorded', () => {
    expect(decided(replayWithApprover(), approve(EXPIRES_AT + HOUR), EXPIRES_AT + HOUR)).toThrow(/KeyApproved: The key request expired at .*: it can no longer be decided/);
    expect(decided(replayWithApprover(), rejectKey(ALICE, aliceKey, r1, { now: at(EXPIRES_AT), policy: LENIENT }), EXPIRES_AT)).toThrow(/KeyRejected: The key request expired/);
    expect(decided(replayWithApprover(), approve(EXPIRES_AT + HOUR, '000-000-000-000-000'), EXPIRES_AT + HOUR)).toThrow(/KeyApprovalAttemptFailed: The key request expired/);
  });

  it('reports a recovery\'s grant of a request past its expiry, though no expiry was recorded', () => {
    // alice, the org's SUPER_ADMIN without a key, is recovered from T0 (72 h); her request a2 is PENDING since T0.
    const replay = replayWithPendingRequest();
    const [started] = history(recoveryDecider, [{ type: 'StartRecovery', recoveryId: 'rc1', agentId: 'alice', agentRole: 'SUPER_ADMIN', recoveryDelayHours: 72, withWorkingApprover: false, now: T0 }]);
    replay.recovery({ ...started, actor: OPERATOR_ACTOR, occurredAt: T0 });
    const requested = history(keyDecider, [requestKey(actor('alice', 'SUPER_ADMIN'), aliceKey, { requestId: 'a2' })]);
    for (const event of requested) replay.key('alice', { ...event, actor: 'alice', occurredAt: T0 });
    const grant = (ms: number) => () => {
      const command: KeyCommand = { type: 'GrantRecoveredKey', recoveryId: 'rc1', requestId: 'a2', policy: LENIENT, now: at(ms) };
      for (const event of history(keyDecider, [command], requested).slice(requested.length)) replay.key('alice', { ...event, actor: 'policy', occurredAt: at(ms) });
    };
    expect(grant(EXPIRES_AT + HOUR)).toThrow(/KeyApproved: The key request expired at .*: it can no longer be decided or granted/);
    expect(grant(EXPIRES_AT - MINUTE)).not.toThrow();
  });
});
