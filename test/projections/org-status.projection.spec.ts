import {
  agentStatusId,
  orgStatusProjection,
  type AgentBrowserDocument,
  type AgentStatusDocument,
} from '../../projections/org-status.projection';
import { orgWithMembers } from './support/org-with-members';
import { project } from './support/recording-log';

const ORG = 'org-1';

function setUp() {
  const { org, log } = orgWithMembers(ORG, 'alice');
  const documents = () => project(orgStatusProjection, log.events);
  const agent = (agentId: string) => documents().get('agent_status', agentStatusId(ORG, agentId)) as AgentStatusDocument | undefined;
  const browsers = (agentId: string) =>
    Object.fromEntries(
      documents()
        .dump('agent_browsers')
        .map((d) => d.document as AgentBrowserDocument)
        .filter((d) => d.agentId === agentId)
        .map((d) => [d.browserId, d.promptFrequency]),
    );
  return { org, log, agent, browsers };
}

describe('org-status projection', () => {
  it('shows the first key ACTIVE, approved by nobody (FIRST_KEY)', () => {
    const { agent } = setUp();
    expect(agent('root')).toMatchObject({
      role: 'SUPER_ADMIN',
      keyStatus: 'ACTIVE',
      activeKey: { requestId: 'r-root', mode: 'FIRST_KEY', approvedBy: null },
      lastRequest: { requestId: 'r-root', status: 'APPROVED' },
    });
  });

  it('follows a key from NONE through PENDING to ACTIVE, with fingerprint, approver and time', () => {
    const { org, log, agent } = setUp();
    expect(agent('alice')).toMatchObject({ keyStatus: 'NONE', activeKey: null, email: 'alice@example.test', displayName: 'Agent alice' });
    log.record(org.requestKey('alice', 'r-1'));
    expect(agent('alice')).toMatchObject({ keyStatus: 'PENDING', lastRequest: { requestId: 'r-1', status: 'PENDING', decidedAt: null } });
    const approved = log.record(org.approve('root', 'alice'))[0];
    expect(agent('alice')).toMatchObject({
      keyStatus: 'ACTIVE',
      activeKey: { requestId: 'r-1', fingerprint: approved.data.fingerprint, mode: 'APPROVAL', approvedBy: 'root', approvedAt: approved.metadata.occurredAt },
      lastRequest: { status: 'APPROVED', decidedAt: approved.metadata.occurredAt },
      updatedAt: approved.metadata.occurredAt,
    });
  });

  it('stays ACTIVE while a replacement is PENDING, then shows the new key (R8)', () => {
    const { org, log, agent } = setUp();
    log.record(org.requestKey('alice', 'r-1'));
    log.record(org.approve('root', 'alice'));
    log.record(org.requestKey('alice', 'r-2'));
    expect(agent('alice')).toMatchObject({ keyStatus: 'ACTIVE', activeKey: { requestId: 'r-1' }, lastRequest: { requestId: 'r-2', status: 'PENDING' } });
    log.record(org.approve('root', 'alice'));
    expect(agent('alice')).toMatchObject({
      keyStatus: 'ACTIVE',
      activeKey: { requestId: 'r-2' },
      lastRevocation: { requestId: 'r-1', reasonCode: 'REPLACED', revokedBy: 'root' },
    });
  });

  it('shows REJECTED, LOCKED and REVOKED, and PENDING when a key is revoked with a replacement waiting', () => {
    const { org, log, agent } = setUp();
    log.record(org.requestKey('alice', 'r-1'));
    log.record(org.reject('root', 'alice'));
    expect(agent('alice')).toMatchObject({ keyStatus: 'REJECTED', lastRequest: { status: 'REJECTED' } });
    log.record(org.requestKey('alice', 'r-2'));
    for (let i = 0; i < 5; i += 1) log.record(org.failApproval('root', 'alice'));
    expect(agent('alice')).toMatchObject({ keyStatus: 'LOCKED', lastRequest: { requestId: 'r-2', status: 'LOCKED', failedAttempts: 5 } });
    log.record(org.requestKey('alice', 'r-3'));
    log.record(org.approve('root', 'alice'));
    log.record(org.revoke('root', 'alice'));
    expect(agent('alice')).toMatchObject({ keyStatus: 'REVOKED', activeKey: null, lastRevocation: { requestId: 'r-3', reasonCode: 'REVOKED_BY_ADMIN' } });
    log.record(org.requestKey('alice', 'r-4'));
    log.record(org.approve('root', 'alice'));
    log.record(org.requestKey('alice', 'r-5'));
    log.record(org.revoke('root', 'alice'));
    expect(agent('alice')).toMatchObject({ keyStatus: 'PENDING', activeKey: null, lastRequest: { requestId: 'r-5', status: 'PENDING' } });
  });

  it('shows REVOKED for an agent made AUDITOR, whose replacement request is cancelled with the key (R18)', () => {
    const { org, log, agent } = setUp();
    log.record(org.requestKey('alice', 'r-1'));
    log.record(org.approve('root', 'alice'));
    log.record(org.requestKey('alice', 'r-2'));
    log.record(org.changeRole('root', 'alice', 'MEMBER', 'AUDITOR'));
    expect(agent('alice')).toMatchObject({
      role: 'AUDITOR',
      keyStatus: 'REVOKED',
      activeKey: null,
      lastRequest: { requestId: 'r-2', status: 'CANCELLED' },
      lastRevocation: { requestId: 'r-1', reasonCode: 'ROLE_CHANGED_TO_AUDITOR', revokedBy: 'root' },
    });
  });

  it('keeps the role current and forgets removed agents with their browsers', () => {
    const { org, log, agent, browsers } = setUp();
    log.record(org.changeRole('root', 'alice', 'MEMBER', 'ADMIN'));
    expect(agent('alice')?.role).toBe('ADMIN');
    log.record(org.requestKey('alice', 'r-1'));
    log.record(org.approve('root', 'alice'));
    log.record(org.setPromptFrequency('alice', 'b1', 'DAILY'));
    log.record(org.removeAgent('root', 'alice', 'ADMIN'));
    expect(agent('alice')).toBeUndefined();
    expect(browsers('alice')).toEqual({});
    log.record(org.addAgent('root', 'alice', 'MEMBER'));
    expect(agent('alice')).toMatchObject({ keyStatus: 'NONE', role: 'MEMBER' });
  });

  it('keeps a prompt frequency per browser: logout resets one, a key change resets all (R10), and a browser back at EVERY_TASK is not kept', () => {
    const { org, log, browsers } = setUp();
    log.record(org.requestKey('alice', 'r-1'));
    log.record(org.approve('root', 'alice'));
    log.record(org.setPromptFrequency('alice', 'chrome.work', 'DAILY'));
    log.record(org.setPromptFrequency('alice', 'firefox.home', 'WEEKLY'));
    log.record(org.setPromptFrequency('root', 'chrome.work', 'WEEKLY'));
    expect(browsers('alice')).toEqual({ 'chrome.work': 'DAILY', 'firefox.home': 'WEEKLY' });
    log.record(org.logOut('alice', 'chrome.work'));
    expect(browsers('alice')).toEqual({ 'firefox.home': 'WEEKLY' });
    log.record(org.setPromptFrequency('alice', 'chrome.work', 'DAILY'));
    log.record(org.requestKey('alice', 'r-2'));
    expect(browsers('alice')).toEqual({ 'chrome.work': 'DAILY', 'firefox.home': 'WEEKLY' });
    log.record(org.approve('root', 'alice'));
    expect(browsers('alice')).toEqual({});
    expect(browsers('root')).toEqual({ 'chrome.work': 'WEEKLY' });
    log.record(org.setPromptFrequency('alice', 'firefox.home', 'DAILY'));
    log.record(org.revoke('root', 'alice'));
    expect(browsers('alice')).toEqual({});
  });

  it('shows an expired request as EXPIRED until the agent asks again (R20)', () => {
    const { org, log, agent } = setUp();
    log.record(org.requestKey('alice', 'r-1'));
    const [expired] = log.record(org.expire('alice'));
    expect(agent('alice')).toMatchObject({ keyStatus: 'EXPIRED', lastRequest: { requestId: 'r-1', status: 'EXPIRED', decidedAt: expired.metadata.occurredAt } });
    log.record(org.requestKey('alice', 'r-2'));
    expect(agent('alice')).toMatchObject({ keyStatus: 'PENDING', lastRequest: { requestId: 'r-2', status: 'PENDING' } });
  });
});
