import type { ParsedMail } from 'mailparser';
import { DEFAULT_ORG_POLICY, type OrgPolicy } from '../../src/domain/organization/org-policy';
import { Journey, type TestAgent } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { SmtpSink } from './support/smtp-sink';
import { waitFor } from './support/wait-for';

/**
 * M-of-N's circumventions are allowed but never quiet (README, "M-of-N approval"). A lone
 * SUPER_ADMIN who lowers adminKeyApprovals or memberKeyApprovals, approves a key alone and raises
 * it back, or shortens the approvers' veto window of a recovery, is seen at once by every approver
 * holding a key, as a revocation or a demotion of an approver is. Real app (API, notifier, worker)
 * with its emails sent to an SMTP sink.
 */
describe('policy emails, end to end (API -> log -> notifier -> worker -> SMTP)', () => {
  let sink: SmtpSink;
  let server: TestServer;
  let journey: Journey;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    server = await startTestServer({ SMTP_URL: sink.url, EMAIL_FROM: 'ztkeys <keys@acme.example>' });
    journey = new Journey(server);
  });
  afterAll(async () => {
    await server?.close();
    await sink?.stop();
  });

  const mailsTo = (to: TestAgent, subject: RegExp): ParsedMail[] =>
    sink.received.filter((mail) => mail.rcptTo.includes(`${to.agentId}@example.com`) && subject.test(mail.parsed.subject ?? '')).map((mail) => mail.parsed);
  const policyMails = (to: TestAgent): ParsedMail[] => mailsTo(to, /weakened the policy/);

  it("a SUPER_ADMIN lowering adminKeyApprovals 2 -> 1 is told to every other approver holding a key, and to the signer; raising it mails nobody", async () => {
    const alice = await journey.createOrg('alice');
    await journey.requestKey(alice);
    const bob = await journey.addAgent(alice, 'bob', 'ADMIN');
    await journey.activeKey(bob, alice);
    const carol = await journey.addAgent(alice, 'carol', 'SUPER_ADMIN');
    await journey.activeKey(carol, alice);
    const dave = await journey.addAgent(alice, 'dave', 'ADMIN'); // no key: approves nothing, told nothing
    const erin = await journey.addAgent(alice, 'erin');
    await journey.activeKey(erin, alice); // a MEMBER's key: approves nothing, told nothing

    const bank: OrgPolicy = { ...DEFAULT_ORG_POLICY, adminKeyApprovals: 2, memberKeyApprovals: 2 };
    expect((await journey.setPolicy(alice, bank)).status).toBe(200); // tightens: nobody
    expect((await journey.setPolicy(alice, { ...bank, adminKeyApprovals: 1, reminderAfterHours: 24 })).status).toBe(200);
    expect((await journey.setPolicy(alice, bank)).status).toBe(200); // tightens back: nobody

    // A later email of the log tells when the notifier has passed the changes.
    expect((await journey.revokeKey(alice, 'erin', 'rotation')).status).toBe(200);
    await waitFor("erin's revocation email", () => mailsTo(erin, /revoked/).length >= 1);
    await waitFor('3 policy emails', () => [alice, bob, carol].flatMap(policyMails).length >= 3);

    for (const approver of [bob, carol]) {
      const mails = policyMails(approver);
      expect(mails.map((mail) => mail.subject)).toEqual(['[Acme Support] alice weakened the policy: adminKeyApprovals from 2 to 1']);
      expect(mails[0].text).toMatch(/adminKeyApprovals: +2 -> 1 \(weakens\)/);
      expect(mails[0].html).toContain('<th align="left">adminKeyApprovals</th><td><code>2 -&gt; 1 (weakens)</code></td>');
      expect(mails[0].text).toContain("an ADMIN's or SUPER_ADMIN's key is activated by 1 approval, where it took 2 approvals");
      expect(mails[0].text).toMatch(/alice changed the policy of Acme Support at .*/);
      // What else changed in the same decision is named too, as not weakening anything.
      expect(mails[0].text).toMatch(/reminderAfterHours: +48 -> 24/);
    }
    expect(policyMails(alice).map((mail) => mail.subject)).toEqual(['[Acme Support] You weakened the policy: adminKeyApprovals from 2 to 1']);
    expect(policyMails(dave)).toEqual([]);
    expect(policyMails(erin)).toEqual([]);
    expect(sink.received.filter((mail) => /policy/.test(mail.parsed.subject ?? ''))).toHaveLength(3);
  });
});
