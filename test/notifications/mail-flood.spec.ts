import { DEFAULT_ORG_POLICY, type OrgPolicy } from '../../src/domain/organization/org-policy';
import { Journey, type TestAgent } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { expectNothingWritten, expectProblem } from '../e2e/expectations';
import { SmtpSink } from './support/smtp-sink';
import { waitFor } from './support/wait-for';

/**
 * What one agent can make ztkeys mail. Most commands that mail are bounded by what they need from
 * someone else (a key request by its requester, a recovery by the operator) or by a rate of their
 * own (key requests). Demoting an approver who holds an ACTIVE key mails them and every approver
 * still holding one (R12, "made a MEMBER"), and promoting them back mails nobody: a SUPER_ADMIN
 * flipping one agent's role mailed the org's approvers without end. So did one lowering a policy's
 * approval threshold (mailed to every approver holding a key) and raising it back (mailed to
 * nobody). Real app (API, notifier, worker) sending to an SMTP sink.
 */
describe('one SUPER_ADMIN flipping an approver between ADMIN and MEMBER, or a threshold between 2 and 1 (API -> log -> notifier -> worker -> SMTP)', () => {
  let sink: SmtpSink;
  let server: TestServer;
  let journey: Journey;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    server = await startTestServer({ SMTP_URL: sink.url, EMAIL_FROM: 'ztkeys <keys@acme.example>', RATE_LIMIT_ROLE_CHANGES_PER_AGENT: '4/3600', RATE_LIMIT_POLICY_CHANGES_PER_AGENT: '4/3600' });
    journey = new Journey(server);
  });
  afterAll(async () => {
    await server?.close();
    await sink?.stop();
  });

  const demotionMails = (): number => sink.received.filter((mail) => /made a MEMBER/.test(mail.parsed.subject ?? '')).length;

  it('refuses role changes past ROLE_CHANGES_PER_AGENT with a 429 that writes nothing, so the demotion emails stop', async () => {
    const alice = await journey.createOrg('alice');
    await journey.requestKey(alice);
    const approvers: TestAgent[] = [];
    for (const id of ['bob', 'carol']) {
      const approver = await journey.addAgent(alice, id, 'ADMIN');
      await journey.activeKey(approver, alice);
      approvers.push(approver);
    }

    // 4 changes: bob demoted twice, each mailed to bob, alice and carol.
    for (const role of ['MEMBER', 'ADMIN', 'MEMBER', 'ADMIN']) expect((await journey.changeRole(alice, 'bob', role)).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const refused = await expectNothingWritten(server, () => journey.changeRole(alice, 'bob', 'MEMBER'));
      expectProblem(refused, 429, 'RATE_LIMITED');
      expect(refused.body.limit).toBe('role_changes_per_agent');
    }

    // A later email of the log tells when the notifier has passed the refused changes: none of them mailed.
    expect((await journey.revokeKey(alice, 'carol', 'rotation')).status).toBe(200);
    await waitFor("carol's revocation emails", () => sink.received.filter((mail) => /carol's signature key was revoked|Your signature key was revoked/.test(mail.parsed.subject ?? '')).length >= 3);
    await waitFor('the demotion emails', () => demotionMails() >= 6);
    expect(demotionMails()).toBe(6);
  });

  it('refuses policy changes past POLICY_CHANGES_PER_AGENT with a 429 that writes nothing, so the emails of a lowered threshold stop', async () => {
    const olga = await journey.createOrg('olga');
    await journey.requestKey(olga);
    for (const id of ['pete', 'quinn']) await journey.activeKey(await journey.addAgent(olga, id, 'ADMIN'), olga);
    const bank: OrgPolicy = { ...DEFAULT_ORG_POLICY, adminKeyApprovals: 2 };
    const weak: OrgPolicy = { ...bank, adminKeyApprovals: 1 };
    const policyMails = (): number => sink.received.filter((mail) => /\[Acme Support\] (You|olga) weakened the policy/.test(mail.parsed.subject ?? '')).length;

    // 4 changes: the threshold lowered twice, each mailed to pete, quinn and olga.
    for (const policy of [bank, weak, bank, weak]) expect((await journey.setPolicy(olga, policy)).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const refused = await expectNothingWritten(server, () => journey.setPolicy(olga, i % 2 === 0 ? bank : weak));
      expectProblem(refused, 429, 'RATE_LIMITED');
      expect(refused.body.limit).toBe('policy_changes_per_agent');
      expect(refused.body.retryAfter).toBeGreaterThan(0);
    }

    // A later email of the log tells when the notifier has passed the refused changes: none of them mailed.
    expect((await journey.revokeKey(olga, 'quinn', 'rotation')).status).toBe(200);
    await waitFor("quinn's revocation emails", () => sink.received.filter((mail) => /\[Acme Support\] (quinn's signature key was revoked by olga|Your signature key was revoked by olga)/.test(mail.parsed.subject ?? '')).length >= 3);
    await waitFor('the policy emails', () => policyMails() >= 6);
    expect(policyMails()).toBe(6);
  });
});
