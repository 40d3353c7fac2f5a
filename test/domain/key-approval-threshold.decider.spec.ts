import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import { approvalThreshold } from '../../src/domain/signature-key/approval-threshold';
import type { KeyCommand } from '../../src/domain/signature-key/key.commands';
import { keyDecider } from '../../src/domain/signature-key/key.decider';
import type { KeyEvent } from '../../src/domain/signature-key/key.events';
import { fold } from '../../src/domain/shared/decider';
import { generateKeyPair } from '../support/ed25519-keys';
import { given, history } from './given-when-then';
import { MINUTE, actor, approveKey, at, codeOf, rejectKey, requestKey } from './key-fixtures';

const aliceKey = generateKeyPair();
const bobKey = generateKeyPair();
const danKey = generateKeyPair();
const carolKey = generateKeyPair();

const ALICE = actor('alice', 'SUPER_ADMIN', aliceKey);
const BOB = actor('bob', 'ADMIN', bobKey);
const DAN = actor('dan', 'ADMIN', danKey);
const r1 = { requestId: 'r1', publicKey: carolKey.publicKey };
const CODE = codeOf('carol', carolKey);
const APPROVERS = { alice: aliceKey, bob: bobKey, dan: danKey };
/** A bank: two approvals for a MEMBER's key, three for an admin's. */
const BANK = { ...DEFAULT_ORG_POLICY, memberKeyApprovals: 2, adminKeyApprovals: 3 };

const run = (commands: KeyCommand[], given: KeyEvent[] = []): KeyEvent[] => history(keyDecider, commands, given);
const keys = (events: KeyEvent[]) => given(keyDecider, events);
const carolPending = (): KeyEvent[] => run([requestKey(actor('carol', 'MEMBER'), carolKey, { requestId: 'r1' })]);
/** `approver` approves r1 under `policy`, with the three approvers holding ACTIVE keys unless told otherwise. */
const approve = (approver = ALICE, options: { policy?: typeof BANK; activeApprovers?: number; approvers?: Record<string, typeof aliceKey>; now?: string } = {}) =>
  approveKey(approver, approver === ALICE ? aliceKey : approver === BOB ? bobKey : danKey, r1, CODE, {
    policy: options.policy ?? BANK,
    activeApprovers: options.activeApprovers ?? 3,
    approvers: options.approvers ?? APPROVERS,
    now: options.now ?? at(MINUTE),
  });

describe('M-of-N approval (R20)', () => {
  it('records an approval below the threshold and keeps the request PENDING', () => {
    const command = approve(ALICE);
    keys(carolPending())
      .when(command)
      .thenEvents([
        {
          type: 'KeyApprovalRecorded',
          data: {
            requestId: 'r1',
            agentId: 'carol',
            approvedBy: 'alice',
            approvals: ['alice'],
            required: 2,
            decision: { statement: command.proof.statement, signature: command.proof.signature, publicKey: aliceKey.publicKey },
          },
        },
      ]);
    const state = fold(keyDecider, run([command], carolPending()));
    expect(state.requests.get('r1')).toMatchObject({ status: 'PENDING', approvals: ['alice'] });
    expect(state.active).toBeUndefined();
  });

  it('activates the key with the approval that reaches the threshold, as a plain APPROVAL by that approver', () => {
    const events = run([approve(ALICE)], carolPending());
    const [approved] = keys(events).when(approve(BOB)).events();
    expect(approved).toMatchObject({ type: 'KeyApproved', data: { requestId: 'r1', mode: 'APPROVAL', approvedBy: 'bob' } });
    expect(fold(keyDecider, run([approve(BOB)], events)).active?.fingerprint).toBe(carolKey.fingerprint);
  });

  it('never counts the same approver twice', () => {
    const events = run([approve(ALICE)], carolPending());
    keys(events).when(approve(ALICE, { now: at(2 * MINUTE) })).thenRefused('CONFLICT', 'ALREADY_APPROVED', { approvals: ['alice'], required: 2 });
  });

  it('applies a tightened threshold to a request already pending', () => {
    const events = run([approve(ALICE)], carolPending());
    const tightened = { ...BANK, memberKeyApprovals: 3 };
    const [recorded] = keys(events).when(approve(BOB, { policy: tightened })).events();
    expect(recorded).toMatchObject({ type: 'KeyApprovalRecorded', data: { approvals: ['alice', 'bob'], required: 3 } });
    const [approved] = keys(run([approve(BOB, { policy: tightened })], events)).when(approve(DAN, { policy: tightened })).events();
    expect(approved).toMatchObject({ type: 'KeyApproved', data: { approvedBy: 'dan' } });
  });

  it('lets an approver who already approved complete a request whose threshold was lowered since', () => {
    const events = run([approve(ALICE)], carolPending());
    const [approved] = keys(events).when(approve(ALICE, { policy: DEFAULT_ORG_POLICY, now: at(2 * MINUTE) })).events();
    expect(approved).toMatchObject({ type: 'KeyApproved', data: { approvedBy: 'alice', mode: 'APPROVAL' } });
  });

  it('no longer counts the approval of an approver demoted or removed since', () => {
    const events = run([approve(ALICE)], carolPending());
    const [recorded] = keys(events).when(approve(BOB, { approvers: { bob: bobKey, dan: danKey } })).events();
    expect(recorded).toMatchObject({ type: 'KeyApprovalRecorded', data: { approvals: ['bob'], required: 2 } });
  });

  it('no longer counts an approval signed with a key revoked since: a stolen key\'s approval stops counting once it is revoked', () => {
    const events = run([approve(ALICE)], carolPending());
    const [recorded] = keys(events).when(approve(BOB, { approvers: { bob: bobKey, dan: danKey } })).events();
    expect(recorded).toMatchObject({ type: 'KeyApprovalRecorded', data: { approvals: ['bob'], required: 2 } });
  });

  it('lets an approver whose key was replaced since approve again with the new key, counted once', () => {
    const newAliceKey = generateKeyPair();
    const events = run([approve(ALICE)], carolPending());
    const approvers = { alice: newAliceKey, bob: bobKey, dan: danKey };
    const again = approveKey(actor('alice', 'SUPER_ADMIN', newAliceKey, 'a2'), newAliceKey, r1, CODE, { policy: BANK, activeApprovers: 3, approvers, now: at(2 * MINUTE) });
    const [recorded] = keys(events).when(again).events();
    expect(recorded).toMatchObject({ type: 'KeyApprovalRecorded', data: { approvedBy: 'alice', approvals: ['alice'], required: 2 } });
    const [approved] = keys(run([again], events)).when(approve(BOB, { approvers, now: at(3 * MINUTE) })).events();
    expect(approved).toMatchObject({ type: 'KeyApproved', data: { approvedBy: 'bob' } });
  });

  it('asks the ADMIN threshold for an ADMIN or SUPER_ADMIN requester', () => {
    const [recorded] = keys(carolPending())
      .when({ ...approve(ALICE), requesterRole: 'ADMIN' })
      .events();
    expect(recorded).toMatchObject({ type: 'KeyApprovalRecorded', data: { required: 3 } });
  });

  it('caps the threshold by the approvers besides the requester who hold an ACTIVE key, so an org is never locked out', () => {
    const [approved] = keys(carolPending()).when(approve(ALICE, { activeApprovers: 1 })).events();
    expect(approved).toMatchObject({ type: 'KeyApproved', data: { approvedBy: 'alice' } });
    expect(approvalThreshold(BANK, 'MEMBER', 0)).toBe(1);
    expect(approvalThreshold(BANK, 'ADMIN', 2)).toBe(2);
    expect(approvalThreshold(BANK, 'SUPER_ADMIN', 5)).toBe(3);
  });

  it('ends the request with one rejection, whatever approvals it had', () => {
    const events = run([approve(ALICE)], carolPending());
    const [rejected] = keys(events).when(rejectKey(BOB, bobKey, r1, { now: at(2 * MINUTE) })).events();
    expect(rejected).toMatchObject({ type: 'KeyRejected', data: { rejectedBy: 'bob' } });
    const after = run([rejectKey(BOB, bobKey, r1, { now: at(2 * MINUTE) })], events);
    keys(after).when(approve(DAN)).thenRefused('CONFLICT', 'REQUEST_NOT_PENDING');
  });

  it('still lets the sole approver rotate their own key under any threshold (R8)', () => {
    const newAliceKey = generateKeyPair();
    const aliceFirst = run([requestKey(actor('alice', 'SUPER_ADMIN'), aliceKey, { requestId: 'alice-key', firstKeyAssigned: false })]);
    const replacing = run([requestKey(ALICE, newAliceKey, { requestId: 'a2', now: at(MINUTE) })], aliceFirst);
    const command = approveKey(ALICE, aliceKey, { requestId: 'a2', publicKey: newAliceKey.publicKey }, codeOf('alice', newAliceKey), {
      policy: BANK,
      requesterRole: 'SUPER_ADMIN',
      activeApprovers: 0,
      approvers: { alice: aliceKey },
      now: at(2 * MINUTE),
    });
    const [, approved] = keys(replacing).when(command).events();
    expect(approved).toMatchObject({ type: 'KeyApproved', data: { mode: 'ROTATION', approvedBy: 'alice' } });
  });
});
