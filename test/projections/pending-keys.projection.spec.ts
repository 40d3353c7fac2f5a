import { pendingKeyId, pendingKeysProjection, type PendingKeyDocument } from '../../projections/pending-keys.projection';
import { CHALLENGE_EXPIRES_AT } from './support/org-event-builder';
import { orgWithMembers } from './support/org-with-members';
import { project } from './support/recording-log';

const ORG = 'org-1';

function setUp() {
  const { org, log } = orgWithMembers(ORG, 'alice', 'bob');
  const pending = () => project(pendingKeysProjection, log.events).dump('pending_keys').map((d) => d.document as PendingKeyDocument);
  return { org, log, pending };
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
});
