import { renderEmail } from '../../src/notifications/email-content';
import type { EmailJob, KeyRequestJobBase } from '../../src/notifications/email-job';
import { approvalJob } from './support/email-jobs';

const FROM = 'ztkeys <keys@acme.example>';
const date = new Date('2025-03-04T05:06:07Z');

describe('renderEmail', () => {
  const base = approvalJob();
  const requester = { agentId: 'max', displayName: 'Max <script>', email: 'max@acme.example' };
  const jobs: Record<string, Extract<EmailJob, KeyRequestJobBase>> = {
    firstKey: { ...base, kind: 'KEY_APPROVED', mode: 'FIRST_KEY', approvedBy: undefined },
    rotation: { ...base, kind: 'KEY_APPROVED', mode: 'ROTATION', request: { ...base.request, replacesFingerprint: 'cd'.repeat(32) } },
    waiting: { ...base, kind: 'KEY_REQUEST_WAITING', request: { ...base.request, requester } },
    rejectedNoReason: { ...base, kind: 'KEY_REJECTED', rejectedBy: { agentId: 'ada', displayName: 'Ada' } },
    locked: { ...base, kind: 'KEY_REQUEST_LOCKED', failedAttempts: 5 },
  };

  it.each(Object.entries(jobs))('%s: names the org and the fingerprint, says what to do next, in text and HTML', (_, job) => {
    const email = renderEmail(job, FROM, date);
    expect(email.subject.startsWith('[Acme Support] ')).toBe(true);
    for (const body of [email.text, email.html]) {
      expect(body).toContain('Acme Support');
      expect(body).toContain(job.request.fingerprint);
      expect(body).toMatch(/What to do next/);
    }
    expect(email.to).toEqual({ name: job.to.displayName, address: job.to.email });
    expect(email.messageId).toBe(`<${job.eventId}.YWdlbnQtMQ@acme.example>`);
  });

  it('says how each key came to be approved', () => {
    expect(renderEmail(jobs.firstKey, FROM, date).text).toContain('first key of Acme Support, so it was approved at once');
    const rotation = renderEmail(jobs.rotation, FROM, date).text;
    expect(rotation).toContain('approved with your current key');
    expect(rotation).toContain('Your previous key is revoked');
    expect(rotation).toContain('cd'.repeat(32));
    expect(renderEmail(base, FROM, date).text).toContain('Bea Boss approved your signature key in Acme Support.');
    expect(renderEmail(jobs.rejectedNoReason, FROM, date).text).toContain('No reason was given.');
  });

  it("quotes a rejection's reason line by line: a reason cannot pass for the email's own layout", () => {
    const forged = 'Policy.\n\nWhat to do next:\n  1. Send your key file to it@evil.example\n-- \nYou get this email because';
    const { text } = renderEmail({ ...(jobs.rejectedNoReason as Extract<EmailJob, { kind: 'KEY_REJECTED' }>), reason: forged }, FROM, date);
    expect(text).toContain('Reason given by Ada, as written:\n  | Policy.\n  |\n  | What to do next:\n  |   1. Send your key file to it@evil.example\n  | -- \n  | You get this email because\n');
    expect(text.match(/^What to do next:$/gm)).toHaveLength(1);
    expect(text.match(/^-- $/gm)).toHaveLength(1);
  });

  it("keeps every part of a reason marked when a reader wraps its lines: runs of spaces or tabs are one space, long lines wrapped here, each part marked; in HTML a bordered block", () => {
    const tabs = '\t'.repeat(24);
    const forged = `Duplicate request, see ticket 4711.${tabs}What to do next:${tabs}  1. Nothing.${tabs}${'x'.repeat(100)} ${' '.repeat(40)}2. Do not request a key again.`;
    const { text, html } = renderEmail({ ...(jobs.rejectedNoReason as Extract<EmailJob, { kind: 'KEY_REJECTED' }>), reason: forged }, FROM, date);
    const quotedLines = text.slice(text.indexOf('as written:\n') + 'as written:\n'.length).split('\n\n')[0].split('\n');
    expect(quotedLines).toEqual([
      '  | Duplicate request, see ticket 4711. What to do next: 1. Nothing.',
      `  | ${'x'.repeat(72)}`,
      `  | ${'x'.repeat(28)} 2. Do not request a key again.`,
    ]);
    // Each quoted line within the 78 columns a reader shows unwrapped; the email's own "What to do next:" alone at the margin.
    for (const line of quotedLines) expect(line.length).toBeLessThanOrEqual(78);
    expect(text.match(/^What to do next:$/gm)).toHaveLength(1);
    expect(html).toContain(
      `<p>Reason given by Ada, as written:</p><blockquote style="margin: 0 0 1em; padding-left: 0.75em; border-left: 3px solid #999; white-space: pre-wrap">Duplicate request, see ticket 4711. What to do next: 1. Nothing.\n${'x'.repeat(72)}\n${'x'.repeat(28)} 2. Do not request a key again.</blockquote>`,
    );
    expect(html).not.toContain('\t');
  });

  it("shows a display name's run of spaces as one space: what follows it never stands on a line of its own once a reader wraps", () => {
    const waiting = jobs.waiting as Extract<EmailJob, { kind: 'KEY_REQUEST_WAITING' }>;
    const requester = { ...waiting.request.requester, displayName: `Bob${' '.repeat(120)}(IT Security: verified, approve now)` };
    const { text, html, subject, to } = renderEmail({ ...waiting, request: { ...waiting.request, requester } }, FROM, date);
    for (const part of [text, html, subject]) {
      expect(part).toContain('Bob (IT Security: verified, approve now)');
      expect(part).not.toMatch(/Bob {2}/);
    }
    expect(to.address).toBe(waiting.to.email);
  });

  it('never lets a name become markup in the HTML body', () => {
    const { html, subject } = renderEmail(jobs.waiting, FROM, date);
    expect(html).toContain('Max &lt;script&gt;');
    expect(html).not.toContain('<script>');
    expect(subject).toBe('[Acme Support] Max <script> asks for a signature key: your approval is needed');
  });

  describe('break-glass recovery (R20)', () => {
    const agent = { agentId: 'alice', displayName: 'Alice <b>', email: 'alice@acme.example' };
    const recovery = { recoveryId: 'rc_1', agent, effectiveAt: '2025-03-10T00:00:00.000Z', claimBy: '2025-03-17T00:00:00.000Z', delayHours: 144, withWorkingApprover: true };
    const { request: _request, kind: _kind, mode: _mode, approvedBy: _approvedBy, ...common } = base;
    const job = (kind: 'RECOVERY_STARTED' | 'RECOVERY_REMINDER' | 'RECOVERY_COMPLETED'): EmailJob => ({ ...common, recovery, kind });

    it('tells every approver whom it restores, when, and how to veto it; says why the delay is doubled', () => {
      const started = renderEmail(job('RECOVERY_STARTED'), FROM, date);
      expect(started.subject).toBe('[Acme Support] Break-glass recovery started: Alice <b> gets a key without approval at 2025-03-10T00:00:00.000Z');
      expect(started.text).toContain('in 144 hours');
      expect(started.text).toContain('twice the policy');
      expect(started.text).toContain('ztkeys recovery veto');
      // R20: until when the agent may claim it, in the text and among the facts.
      expect(started.text).toContain('If Alice <b> has not requested a key by 2025-03-17T00:00:00.000Z, the recovery lapses without granting one.');
      expect(started.text).toMatch(/Lapses unless claimed by: +2025-03-17T00:00:00\.000Z/);
      expect(renderEmail(job('RECOVERY_REMINDER'), FROM, date).text).toContain('has not requested a key by 2025-03-17T00:00:00.000Z');
      expect(started.html).toContain('Alice &lt;b&gt;');
      expect(renderEmail(job('RECOVERY_REMINDER'), FROM, date).subject).toMatch(/^\[Acme Support\] Reminder: break-glass recovery for Alice <b> takes effect/);
      expect(renderEmail(job('RECOVERY_COMPLETED'), FROM, date).text).toContain('granted with mode RECOVERY');
      const vetoed = renderEmail({ ...common, recovery, kind: 'RECOVERY_VETOED', vetoedBy: { agentId: 'bob', displayName: 'Bob' } }, FROM, date);
      expect(vetoed.text).toContain('Bob vetoed the break-glass recovery');
    });

    it('tells every approver a recovery lapsed, why, and that a new one may start; a removed agent is named without an address', () => {
      const demoted = renderEmail({ ...common, recovery, kind: 'RECOVERY_LAPSED', reason: 'AGENT_DEMOTED' }, FROM, date);
      expect(demoted.subject).toBe('[Acme Support] Break-glass recovery for Alice <b> lapsed: no longer a SUPER_ADMIN');
      expect(demoted.text).toContain('Alice <b> is no longer a SUPER_ADMIN of Acme Support while the break-glass recovery restoring them waited, so it ended without granting a key.');
      expect(demoted.text).toMatch(/Lapsed because: +demoted from SUPER_ADMIN/);
      expect(demoted.text).toContain('the operator may start a new recovery');
      expect(demoted.text).not.toContain('Takes effect at');
      expect(demoted.text).not.toContain('ztkeys recovery veto');
      expect(demoted.html).toContain('Alice &lt;b&gt;');
      const removedAgent = { agentId: 'alice', displayName: 'alice', email: '' };
      const removed = renderEmail({ ...common, recovery: { ...recovery, agent: removedAgent }, kind: 'RECOVERY_LAPSED', reason: 'AGENT_REMOVED' }, FROM, date);
      expect(removed.text).toContain('alice was removed from Acme Support');
      expect(removed.text).toMatch(/Restores the SUPER_ADMIN: +alice\n/);
      expect(removed.text).toMatch(/Lapsed because: +removed from the organization/);
    });

    it('tells every approver a recovery that took effect lapsed unclaimed: when it took effect, that a later request waits for an approver, and whom to tell', () => {
      const unclaimed = renderEmail({ ...common, recovery, kind: 'RECOVERY_LAPSED', reason: 'UNCLAIMED' }, FROM, date);
      expect(unclaimed.subject).toBe('[Acme Support] Break-glass recovery for Alice <b> lapsed: no key request claimed it');
      expect(unclaimed.text).toContain('took effect at 2025-03-10T00:00:00.000Z, but Alice <b> requested no key before its claim window');
      expect(unclaimed.text).toContain('waits for an approver, like any other');
      expect(unclaimed.text).toMatch(/Lapsed because: +no key request within its claim window/);
      expect(unclaimed.text).toContain('the operator may start a new recovery');
      expect(unclaimed.text).toContain('someone may hold their bootstrap token');
      expect(unclaimed.text).not.toContain('ztkeys recovery veto');
    });
  });
  describe('a key revoked by someone else', () => {
    const { request: _request, kind: _kind, mode: _mode, approvedBy: _approvedBy, ...common } = base;
    const holder = { agentId: 'alice', displayName: 'Alice <b>', email: 'alice@acme.example' };
    const revocation = {
      holder,
      holderRole: 'SUPER_ADMIN' as const,
      fingerprint: 'ef'.repeat(32),
      reasonCode: 'REVOKED_BY_ADMIN' as const,
      reason: 'routine\n\nWhat to do next:\n  1. nothing',
      revokedBy: { agentId: 'rogue', displayName: 'Rogue <i>' },
      approversWithActiveKey: 1,
    };

    it("tells the holder who revoked it, when and why, quoting the reason line by line, and an approver's holder what M-of-N asks now", () => {
      const email = renderEmail({ ...common, to: holder, revocation, kind: 'KEY_REVOKED' }, FROM, date);
      expect(email.subject).toBe('[Acme Support] Your signature key was revoked by Rogue <i>');
      expect(email.text).toContain(`Rogue <i> revoked your signature key in Acme Support at ${common.occurredAt}.`);
      expect(email.text).toContain('Reason recorded, as written:\n  | routine\n  |\n  | What to do next:\n  |   1. nothing\n');
      expect(email.text.match(/^What to do next:$/gm)).toHaveLength(1);
      expect(email.text).toContain('You are an approver (SUPER_ADMIN) of Acme Support, and approve nothing without an active key. 1 approver still holds an active key in Acme Support now.');
      expect(email.text).toContain('revoke their key at once (`ztkeys keys revoke rogue --reason <text>`)');
      expect(email.text).toMatch(/Key fingerprint \(SHA-256\): +efef/);
      for (const markup of ['<b>', '<i>']) expect(email.html).not.toContain(markup);
      expect(email.html).toContain('Rogue &lt;i&gt;');
      expect(email.text).toContain('because you are an agent');
    });

    it("tells a removed holder they were an agent; tells the other approvers how many keys are left; a member's holder hears nothing of approvers", () => {
      const removed = { ...revocation, reasonCode: 'AGENT_REMOVED' as const, reason: 'The agent was removed from the organization.' };
      const toHolder = renderEmail({ ...common, to: holder, revocation: removed, kind: 'KEY_REVOKED' }, FROM, date).text;
      expect(toHolder).toContain('Rogue <i> removed you from Acme Support at');
      expect(toHolder).toContain('because you were an agent');
      expect(toHolder).toContain('You were an approver (SUPER_ADMIN) of Acme Support.');
      expect(toHolder).not.toContain('ztkeys keys revoke');
      const others = renderEmail({ ...common, revocation: { ...revocation, approversWithActiveKey: 3 }, kind: 'APPROVER_KEY_REVOKED' }, FROM, date);
      expect(others.subject).toBe("[Acme Support] Alice <b>'s signature key was revoked by Rogue <i>: 3 approvers still hold an active key");
      expect(others.text).toContain('because you are an agent');
      expect(others.text).toContain('an approver who revokes the other approvers\' keys can approve a key alone');
      const member = renderEmail({ ...common, to: holder, revocation: { ...revocation, holderRole: 'MEMBER' }, kind: 'KEY_REVOKED' }, FROM, date).text;
      expect(member).not.toMatch(/approver/i);
    });
  });
  describe('an approver holding a key made a MEMBER by someone else', () => {
    const { request: _request, kind: _kind, mode: _mode, approvedBy: _approvedBy, ...common } = base;
    const holder = { agentId: 'ada', displayName: 'Ada <b>', email: 'ada@acme.example' };
    const demotion = { holder, holderRole: 'ADMIN' as const, fingerprint: 'ef'.repeat(32), demotedBy: { agentId: 'sam', displayName: 'Sam <i>' }, approversWithActiveKey: 1 };

    it('tells the demoted approver who did it, when, that their key stays active as a MEMBER\'s, and what M-of-N asks now', () => {
      const email = renderEmail({ ...common, to: holder, demotion, kind: 'DEMOTED_TO_MEMBER' }, FROM, date);
      expect(email.subject).toBe('[Acme Support] You were made a MEMBER by Sam <i>: you approve no key request any more');
      expect(email.text).toContain(`Sam <i> made you a MEMBER of Acme Support at ${common.occurredAt}: your signature key stays ACTIVE, as a MEMBER's, and approves no key request any more.`);
      expect(email.text).toContain('You were an approver (ADMIN) of Acme Support. 1 approver still holds an active key in Acme Support now. A pending key request needs the approvals the policy asks for, but never more than');
      expect(email.text).toMatch(/Key fingerprint \(SHA-256\): +efef/);
      expect(email.text).toMatch(/Made a MEMBER by: +Sam <i>/);
      expect(email.text).toMatch(/Approvers with an active key: +1/);
      expect(email.text).toContain('contact a SUPER_ADMIN of Acme Support, and your platform operator');
      expect(email.text).not.toContain('ztkeys keys revoke');
      for (const markup of ['<b>', '<i>']) expect(email.html).not.toContain(markup);
      expect(email.text).toContain('because you are an agent');
    });

    it('tells the approvers still holding a key how many do, and where the audit log shows who demoted whom', () => {
      const others = renderEmail({ ...common, demotion: { ...demotion, approversWithActiveKey: 2 }, kind: 'APPROVER_DEMOTED' }, FROM, date);
      expect(others.subject).toBe('[Acme Support] Ada <b> was made a MEMBER by Sam <i>: 2 approvers still hold an active key');
      expect(others.text).toContain(`Sam <i> made Ada <b>, ADMIN of Acme Support, a MEMBER at ${common.occurredAt}: their signature key stays ACTIVE`);
      expect(others.text).toContain('2 approvers still hold an active key in Acme Support now.');
      expect(others.text).toContain('You are one of them.');
      expect(others.text).toContain('the AgentRoleChanged events of its audit log: a SUPER_ADMIN who makes the other approvers MEMBERs can approve a key alone. If Sam <i> should not have done this, revoke their key');
    });
  });
  describe('a policy change that weakens a safeguard', () => {
    const { request: _request, kind: _kind, mode: _mode, approvedBy: _approvedBy, ...common } = base;
    const policyChange = {
      changedBy: { agentId: 'sam', displayName: 'Sam <i>' },
      changes: [
        { field: 'adminKeyApprovals' as const, from: 2, to: 1, weakens: true },
        { field: 'recoveryDelayHours' as const, from: 72, to: 24, weakens: true },
        { field: 'reminderAfterHours' as const, from: 48, to: 24, weakens: false },
      ],
    };

    it('tells an approver who changed what from what to what, what it lets happen, and where the audit log shows it', () => {
      const email = renderEmail({ ...common, policyChange, kind: 'POLICY_WEAKENED' }, FROM, date);
      expect(email.subject).toBe('[Acme Support] Sam <i> weakened the policy: adminKeyApprovals from 2 to 1, recoveryDelayHours from 72 to 24');
      expect(email.text).toContain(`Sam <i> changed the policy of Acme Support at ${common.occurredAt}, with a decision signed by their active key.`);
      expect(email.text).toContain("an ADMIN's or SUPER_ADMIN's key is activated by 1 approval, where it took 2 approvals");
      expect(email.text).toContain('a break-glass recovery started from now on takes effect 24 hours after it starts, where it took 72');
      expect(email.text).toMatch(/adminKeyApprovals: +2 -> 1 \(weakens\)/);
      expect(email.text).toMatch(/reminderAfterHours: +48 -> 24\n/);
      expect(email.text).toMatch(/Changed by: +Sam <i>/);
      expect(email.text).toContain('the OrgPolicyChanged events of its audit log. If Sam <i> should not have done this, revoke their key (`ztkeys keys revoke sam --reason <text>`)');
      expect(email.html).not.toContain('<i>');
    });

    it("tells the signer it was their key, and what to do if it was not them", () => {
      const email = renderEmail({ ...common, to: { agentId: 'sam', displayName: 'Sam <i>', email: 'sam@acme.example' }, policyChange, kind: 'POLICY_WEAKENED_BY_YOU' }, FROM, date);
      expect(email.subject).toBe('[Acme Support] You weakened the policy: adminKeyApprovals from 2 to 1, recoveryDelayHours from 72 to 24');
      expect(email.text).toContain('You changed the policy of Acme Support');
      expect(email.text).toContain('every other approver holding an active key was told of it too');
      expect(email.text).toContain('If you did not make this change, someone holds your key and your token: revoke your key at once (`ztkeys keys revoke sam --reason <text>`)');
    });
  });
});
