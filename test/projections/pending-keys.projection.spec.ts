import { keyApprovalId, pendingKeyId, pendingKeysProjection, type KeyApprovalDocument, type PendingKeyDocument } from '../../projections/pending-keys.projection';
import { CHALLENGE_EXPIRES_AT } from './support/org-event-builder';
import { orgWithMembers } from './support/org-with-members';
import { project } from './support/recording-log';

const ORG = 'org-1';

function setUp() {
  const { org, log } = orgWithMembers(ORG, 'alice', 'bob');
  const pending = () => project(pendingKeysProjection, log.events).dump('pending_keys').map((d) => d.document as PendingKeyDocument);
  const approvals = () => project(pendingKeysProjection, log.events).dump('key_approvals').map((d) => d.document as KeyApprovalDocument);
  return { org, log, pending, approvals };
}

describe('pending-keys projection', () => {
  it('holds one document per PENDING request with what the approver needs, never the first key', () => {
    const { org, log, pending } = setUp();
    const [requested] = log.record(org.requestKey('alice', 'r-alice'));
    expect(pending()).toEqual([
      {
        orgId: ORG,
        requestId: 'r-alice',
        agentId: 'alice',
        publicKey: requested.data.publicKey,
        fingerprint: requested.data.fingerprint,
        verificationCode: requested.data.verificationCode,
        replacesFingerprint: null,
        requestedAt: requested.metadata.occurredAt,
        challengeExpiresAt: CHALLENGE_EXPIRES_AT,
        requestedPosition: Number(requested.position),
        failedAttempts: 0,
        attemptsLeft: 5,
        remindedAt: null,
        approvals: [],
      },
    ]);
    expect(project(pendingKeysProjection, log.events).get('pending_keys', pendingKeyId(ORG, 'r-alice'))).toBeDefined();
  });

  it('counts wrong codes and drops the request when it is locked on the 5th', () => {
    const { org, log, pending } = setUp();
    log.record(org.requestKey('alice', 'r-alice'));
    log.record(org.failApproval('root', 'alice'));
    log.record(org.failApproval('root', 'alice'));
    expect(pending()[0]).toMatchObject({ failedAttempts: 2, attemptsLeft: 3 });
    for (let i = 0; i < 3; i += 1) log.record(org.failApproval('root', 'alice'));
    expect(log.events.at(-1)?.type).toBe('KeyRequestLocked');
    expect(pending()).toEqual([]);
  });

  it('drops requests that are approved, rejected or replaced, and those of removed agents', () => {
    const { org, log, pending } = setUp();
    log.record(org.requestKey('alice', 'r-alice-1'));
    log.record(org.requestKey('bob', 'r-bob'));
    log.record(org.requestKey('alice', 'r-alice-2'));
    expect(pending().map((d) => d.requestId).sort()).toEqual(['r-alice-2', 'r-bob']);
    log.record(org.approve('root', 'alice'));
    log.record(org.reject('root', 'bob'));
    expect(pending()).toEqual([]);
    log.record(org.requestKey('bob', 'r-bob-2'));
    log.record(org.removeAgent('root', 'bob', 'MEMBER'));
    expect(pending()).toEqual([]);
  });

  it('names the ACTIVE key a key change would replace', () => {
    const { org, log, pending } = setUp();
    log.record(org.requestKey('alice', 'r-1'));
    const approved = log.record(org.approve('root', 'alice')).find((e) => e.type === 'KeyApproved');
    log.record(org.requestKey('alice', 'r-2'));
    expect(pending()[0]).toMatchObject({ requestId: 'r-2', replacesFingerprint: approved?.data.fingerprint });
  });

  it('marks a request whose approvers were reminded, and drops it when it expires (R20)', () => {
    const { org, log, pending } = setUp();
    log.record(org.requestKey('alice', 'r-alice'));
    const [reminder] = log.record(org.remind('alice'));
    expect(pending()[0]).toMatchObject({ requestId: 'r-alice', remindedAt: reminder.metadata.occurredAt });
    log.record(org.expire('alice'));
    expect(pending()).toEqual([]);
  });

  it('keeps each approval of a PENDING request with the fingerprint of the key that signed it, the latest per approver, until the request ends (R20 M-of-N)', () => {
    const { org, log, pending, approvals } = setUp();
    log.record(org.addAgent('root', 'ann', 'ADMIN'));
    log.record(org.requestKey('ann', 'r-ann'));
    const annKey = log.record(org.approve('root', 'ann')).find((e) => e.type === 'KeyApproved')!.data.fingerprint;
    const rootKey = log.events.find((e) => e.type === 'KeyApproved' && e.data.agentId === 'root')!.data.fingerprint;
    log.record(org.requestKey('alice', 'r-alice'));
    log.record(org.recordApproval('root', 'alice', ['root'], 3));
    log.record(org.recordApproval('ann', 'alice', ['root', 'ann'], 3));
    expect(pending()[0]).toMatchObject({ requestId: 'r-alice', approvals: ['root', 'ann'] });
    expect(approvals()).toEqual([
      { orgId: ORG, requestId: 'r-alice', approverId: 'ann', fingerprint: annKey },
      { orgId: ORG, requestId: 'r-alice', approverId: 'root', fingerprint: rootKey },
    ]);
    expect(project(pendingKeysProjection, log.events).get('key_approvals', keyApprovalId(ORG, 'r-alice', 'root'))).toBeDefined();

    // root's key is replaced: the approval it signed no longer counts, and root approves again with the new key.
    log.record(org.requestKey('root', 'r-root-2'));
    const newRootKey = log.record(org.approve('ann', 'root')).find((e) => e.type === 'KeyApproved')!.data.fingerprint;
    log.record(org.recordApproval('root', 'alice', ['ann', 'root'], 3));
    expect(approvals().find(({ approverId }) => approverId === 'root')).toMatchObject({ fingerprint: newRootKey });

    for (const end of [(agentId: string) => org.approve('ann', agentId), (agentId: string) => org.reject('ann', agentId), (agentId: string) => org.expire(agentId)]) {
      log.record(end('alice'));
      expect({ pending: pending(), approvals: approvals() }).toEqual({ pending: [], approvals: [] });
      log.record(org.requestKey('alice'));
      log.record(org.recordApproval('ann', 'alice', ['ann'], 3));
      expect(approvals()).toHaveLength(1);
    }
    log.record(org.requestKey('alice'));
    expect(approvals()).toEqual([]);
  });
});
