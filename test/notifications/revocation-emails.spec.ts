import type { ParsedMail } from 'mailparser';
import { DEFAULT_ORG_POLICY, type OrgPolicy } from '../../src/domain/organization/org-policy';
import { Journey, type TestAgent } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { SmtpSink } from './support/smtp-sink';
import { waitFor } from './support/wait-for';

/**
 * The price of M-of-N's cap (README, "Why it cannot lock an org out"): one ADMIN who revokes the
 * other approvers' keys, or one SUPER_ADMIN who makes them MEMBERs, activates a key alone. The cap
 * stays; its victims hear of it at once. So with a SUPER_ADMIN who lowers a threshold, approves a
 * key alone and raises it back, or shortens the approvers' veto window of a recovery. Real app
 * (API, notifier, worker) with its emails sent to an SMTP sink.
 */
describe('revocation, demotion and weakened-policy emails, end to end (API -> log -> notifier -> worker -> SMTP)', () => {
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
  const revocationMails = (to: TestAgent): ParsedMail[] => mailsTo(to, /revoked/);
  const demotionMails = (to: TestAgent): ParsedMail[] => mailsTo(to, /made a MEMBER/);
  const policyMails = (to: TestAgent): ParsedMail[] => mailsTo(to, /weakened the policy/);

  it('a rogue ADMIN revoking the other approvers to approve alone: each holder, and each approver still holding a key, is told who did it and how many approvers are left', async () => {
    const alice = await journey.createOrg('alice', { adminKeyApprovals: 2, memberKeyApprovals: 2 });
    const aliceKey = await journey.requestKey(alice);
    const rogue = await journey.addAgent(alice, 'rogue', 'ADMIN');
    await journey.activeKey(rogue, alice);
    const dave = await journey.addAgent(alice, 'dave', 'ADMIN');
    const daveRequest = await journey.requestKey(dave);
    for (const approver of [alice, rogue]) await journey.decide(approver, daveRequest.body.requestId, 'APPROVE', { verificationCode: daveRequest.body.verificationCode });
    const carol = await journey.addAgent(alice, 'carol');
    const { requestId, verificationCode } = (await journey.requestKey(carol)).body;
    expect((await journey.decide(rogue, requestId, 'APPROVE', { verificationCode })).body).toMatchObject({ status: 'PENDING', approvals: ['rogue'] });

    // A reason is the rogue's own text: it must not pass for the email's layout.
    expect((await journey.revokeKey(rogue, 'alice', 'routine\nWhat to do next:\n  1. nothing')).status).toBe(200);
    expect((await journey.revokeKey(rogue, 'dave')).status).toBe(200);
    const approved = await journey.decide(rogue, requestId, 'APPROVE', { verificationCode });
    expect(approved.body).toMatchObject({ status: 'APPROVED' });

    // Alice and Dave: their own key; Dave, still holding a key, and the rogue: Alice's key; the rogue: Dave's key.
    await waitFor('5 revocation emails', () => sink.received.filter((mail) => /revoked/.test(mail.parsed.subject ?? '')).length >= 5);
    const aliceFingerprint = aliceKey.body.fingerprint as string;
    const [toAlice] = revocationMails(alice);
    expect(revocationMails(alice)).toHaveLength(1);
    expect(toAlice.subject).toBe('[Acme Support] Your signature key was revoked by rogue');
    for (const body of [toAlice.text ?? '', toAlice.html || '']) {
      expect(body).toContain(aliceFingerprint);
      expect(body).toContain('REVOKED_BY_ADMIN');
      expect(body).toMatch(/If you did not expect this/);
    }
    // The reason is quoted line by line, so its "What to do next:" is not the email's own.
    expect(toAlice.text).toContain('  | routine\n  | What to do next:\n  |   1. nothing');
    expect(toAlice.text?.match(/^What to do next:$/gm)).toHaveLength(1);

    const toDave = revocationMails(dave);
    expect(toDave.map((mail) => mail.subject).sort()).toEqual([
      '[Acme Support] Your signature key was revoked by rogue',
      "[Acme Support] alice's signature key was revoked by rogue: 2 approvers still hold an active key",
    ]);
    const aboutAlice = toDave.find((mail) => /alice's/.test(mail.subject ?? ''))!;
    expect(aboutAlice.text).toContain(aliceFingerprint);
    expect(aboutAlice.text).toMatch(/never more than the approvers with an active key/);

    expect(revocationMails(rogue).map((mail) => mail.subject).sort()).toEqual([
      "[Acme Support] alice's signature key was revoked by rogue: 2 approvers still hold an active key",
      "[Acme Support] dave's signature key was revoked by rogue: 1 approver still holds an active key",
    ]);

    // What Alice's email tells her to do, she can without a key of her own (R9).
    expect(toAlice.text).toContain('revoke their key at once (`ztkeys keys revoke rogue --reason <text>`)');
    expect((await journey.revokeKey(alice, 'rogue', 'revoked the other approvers')).status).toBe(200);
    const toRogue = await waitFor("the rogue's own revocation email", () => revocationMails(rogue).find((mail) => mail.subject === '[Acme Support] Your signature key was revoked by alice'));
    expect(toRogue.text).toMatch(/You are an approver \(ADMIN\) of Acme Support, and approve nothing without an active key\. 0 approvers still hold an active key/);
  });

  it("removing an approver mails them, at the address the directory had, and the approvers left; revoking one's own key mails nobody", async () => {
    const erin = await journey.createOrg('erin');
    await journey.requestKey(erin);
    const frank = await journey.addAgent(erin, 'frank', 'ADMIN');
    await journey.activeKey(frank, erin);
    const gina = await journey.addAgent(erin, 'gina', 'ADMIN');
    await journey.activeKey(gina, erin);
    expect((await journey.revokeKey(gina, 'gina', 'moving to a new laptop')).status).toBe(200);
    expect((await journey.removeAgent(erin, 'frank')).status).toBe(200);

    await waitFor('2 revocation emails', () => revocationMails(frank).length + revocationMails(gina).length + revocationMails(erin).length >= 2);
    const [toFrank] = revocationMails(frank);
    expect(toFrank.subject).toBe('[Acme Support] Your signature key was revoked by erin');
    expect(toFrank.text).toMatch(/erin removed you from Acme Support at .*, which revoked your signature key/);
    expect(revocationMails(erin).map((mail) => mail.subject)).toEqual(["[Acme Support] frank's signature key was revoked by erin: 1 approver still holds an active key"]);
    // Gina revoked her own key, and holds none when Frank's is revoked.
    expect(revocationMails(gina)).toEqual([]);
  });

  it('making an approver who holds a key a MEMBER lowers the cap as a revocation does: they and the approvers still holding a key are told; SUPER_ADMIN to ADMIN mails nobody', async () => {
    const hank = await journey.createOrg('hank', { adminKeyApprovals: 3, memberKeyApprovals: 3 });
    await journey.requestKey(hank);
    const ivy = await journey.addAgent(hank, 'ivy', 'ADMIN');
    await journey.activeKey(ivy, hank);
    const jay = await journey.addAgent(hank, 'jay', 'SUPER_ADMIN');
    const jayRequest = await journey.requestKey(jay);
    for (const approver of [hank, ivy]) await journey.decide(approver, jayRequest.body.requestId, 'APPROVE', { verificationCode: jayRequest.body.verificationCode });
    const kim = await journey.addAgent(hank, 'kim');
    const { requestId, verificationCode } = (await journey.requestKey(kim)).body;

    expect((await journey.changeRole(hank, 'jay', 'ADMIN')).status).toBe(200);
    expect((await journey.changeRole(hank, 'ivy', 'MEMBER')).status).toBe(200);
    expect((await journey.changeRole(hank, 'jay', 'MEMBER')).status).toBe(200);
    // Hank alone holds an approver's key now: his approval alone activates Kim's key, under a policy of 3.
    expect((await journey.decide(hank, requestId, 'APPROVE', { verificationCode })).body).toMatchObject({ status: 'APPROVED' });

    // Ivy: her own, Jay and Hank of it (2 left); Jay: his own, Hank of it (1 left).
    await waitFor('5 demotion emails', () => [hank, ivy, jay].flatMap(demotionMails).length >= 5);
    const [toIvy] = demotionMails(ivy);
    expect(demotionMails(ivy)).toHaveLength(1);
    expect(toIvy.subject).toBe('[Acme Support] You were made a MEMBER by hank: you approve no key request any more');
    expect(toIvy.text).toMatch(/hank made you a MEMBER of Acme Support at .*: your signature key stays ACTIVE, as a MEMBER's/);
    expect(toIvy.text).toContain('You were an approver (ADMIN) of Acme Support. 2 approvers still hold an active key');
    expect(toIvy.text).toContain(ivy.key!.fingerprint);
    expect(demotionMails(jay).map((mail) => mail.subject).sort()).toEqual([
      '[Acme Support] You were made a MEMBER by hank: you approve no key request any more',
      '[Acme Support] ivy was made a MEMBER by hank: 2 approvers still hold an active key',
    ]);
    // Jay was an ADMIN when made a MEMBER: his change to ADMIN left the cap as it was, and was told to nobody.
    expect(demotionMails(jay).find((mail) => /^\[Acme Support\] You/.test(mail.subject ?? ''))?.text).toContain('You were an approver (ADMIN) of Acme Support. 1 approver still holds an active key');
    expect(demotionMails(hank).map((mail) => mail.subject).sort()).toEqual([
      '[Acme Support] ivy was made a MEMBER by hank: 2 approvers still hold an active key',
      '[Acme Support] jay was made a MEMBER by hank: 1 approver still holds an active key',
    ]);
  });

  it("a SUPER_ADMIN lowering adminKeyApprovals 2 -> 1 is told to every other approver holding a key, and to the signer; raising it mails nobody", async () => {
    const leo = await journey.createOrg('leo');
    await journey.requestKey(leo);
    const mia = await journey.addAgent(leo, 'mia', 'ADMIN');
    await journey.activeKey(mia, leo);
    const ned = await journey.addAgent(leo, 'ned', 'SUPER_ADMIN');
    await journey.activeKey(ned, leo);
    const olive = await journey.addAgent(leo, 'olive', 'ADMIN'); // no key: approves nothing, told nothing
    const pam = await journey.addAgent(leo, 'pam');
    await journey.activeKey(pam, leo); // a MEMBER's key: approves nothing, told nothing

    const bank: OrgPolicy = { ...DEFAULT_ORG_POLICY, adminKeyApprovals: 2, memberKeyApprovals: 2 };
    expect((await journey.setPolicy(leo, bank)).status).toBe(200); // tightens: nobody
    expect((await journey.setPolicy(leo, { ...bank, adminKeyApprovals: 1, reminderAfterHours: 24 })).status).toBe(200);
    expect((await journey.setPolicy(leo, bank)).status).toBe(200); // tightens back: nobody

    // A later email of the log tells when the notifier has passed the changes.
    expect((await journey.revokeKey(leo, 'pam', 'rotation')).status).toBe(200);
    await waitFor("pam's revocation email", () => mailsTo(pam, /revoked/).length >= 1);
    await waitFor('3 policy emails', () => [leo, mia, ned].flatMap(policyMails).length >= 3);

    for (const approver of [mia, ned]) {
      const mails = policyMails(approver);
      expect(mails.map((mail) => mail.subject)).toEqual(['[Acme Support] leo weakened the policy: adminKeyApprovals from 2 to 1']);
      expect(mails[0].text).toMatch(/adminKeyApprovals: +2 -> 1 \(weakens\)/);
      expect(mails[0].html).toContain('<th align="left">adminKeyApprovals</th><td><code>2 -&gt; 1 (weakens)</code></td>');
      expect(mails[0].text).toContain("an ADMIN's or SUPER_ADMIN's key is activated by 1 approval, where it took 2 approvals");
      expect(mails[0].text).toMatch(/leo changed the policy of Acme Support at .*/);
      // What else changed in the same decision is named too, as not weakening anything.
      expect(mails[0].text).toMatch(/reminderAfterHours: +48 -> 24/);
    }
    expect(policyMails(leo).map((mail) => mail.subject)).toEqual(['[Acme Support] You weakened the policy: adminKeyApprovals from 2 to 1']);
    expect(policyMails(olive)).toEqual([]);
    expect(policyMails(pam)).toEqual([]);
    expect(sink.received.filter((mail) => /policy/.test(mail.parsed.subject ?? ''))).toHaveLength(3);
  });
});
