import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { call, type TestAgent } from '../support/api-client';
import { serverForSuite } from '../support/server-for-suite';
import { expectAccepted, expectNothingWritten, expectProblem } from './expectations';

/** Every email in the embedded server's outbox, as a mail client reads it. */
async function outbox(dataDir: string): Promise<ParsedMail[]> {
  const dir = join(dataDir, 'outbox');
  const files = existsSync(dir) ? readdirSync(dir).filter((file) => file.endsWith('.eml')) : [];
  return Promise.all(files.map((file) => simpleParser(readFileSync(join(dir, file)))));
}

async function emailTo(dataDir: string, address: string, subject: RegExp): Promise<ParsedMail> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = (await outbox(dataDir)).find((mail) => mail.to && !Array.isArray(mail.to) && mail.to.value[0].address === address && subject.test(mail.subject ?? ''));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no email to ${address} with a subject like ${subject}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * What an admin types for an agent reaches the headers of emails (R12). An address must be one
 * recipient and nothing else. A name the API takes (one line, no hidden character) may still be an
 * RFC 2047 encoded word, which a mail client decodes in a header into whatever it encodes: here a
 * right-to-left override the API refuses in a name. Each header must show the name as typed.
 */
describe('agent fields in email headers (real server, outbox)', () => {
  const suite = serverForSuite();
  const hidden = 'Eve\u202Egnp.exe';
  const name = `=?UTF-8?B?${Buffer.from(hidden).toString('base64')}?=`;
  let alice: TestAgent;
  let eve: TestAgent;

  beforeAll(async () => {
    alice = await suite.journey.createOrg('alice');
    await suite.journey.requestKey(alice);
    expectAccepted(await call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/agents`, alice.token, { agentId: 'eve', email: 'eve@example.com', displayName: name, role: 'MEMBER' }), 201);
    eve = { orgId: alice.orgId, agentId: 'eve', token: await suite.server.token(alice.orgId, 'eve') };
    const requested = await suite.journey.requestKey(eve);
    expectAccepted(await suite.journey.decide(alice, requested.body.requestId, 'REJECT', { reason: 'not on the rota' }), 200);
  });

  it("shows the requester's name literally in the subject of the approver's email", async () => {
    const waiting = await emailTo(suite.server.dataDir, 'alice@example.com', /asks for a signature key/);
    expect(waiting.subject).toBe(`[Acme Support] ${name} asks for a signature key: your approval is needed`);
    expect(waiting.subject).not.toContain('\u202E');
  });

  it.each(['a@example.com\r\nBcc: evil@example.net', '"evil@example.net" <a@example.com>', 'a@example.com <evil@example.net>', 'a@example.com, evil@example.net', 'a@example.com;evil@example.net', 'evil@example.net@example.com'])(
    'refuses the address %j (a header or a second recipient), writing nothing',
    async (email) => {
      await expectNothingWritten(suite.server, async () =>
        expectProblem(await call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/agents`, alice.token, { agentId: 'mallory', email, displayName: 'Mallory', role: 'MEMBER' }), 400, 'INVALID_INPUT'),
      );
    },
  );

  /**
   * Addresses the WHATWG form rule takes that no mail server delivers as written, or that a mail
   * parser reads as another address: an RFC 2047 encoded word in the local part (RFC 2047 §5 forbids
   * it there; mailparser and others decode it, so the To header names another mailbox than the
   * envelope), dots misplaced (nodemailer quietly quotes them, RFC 5321 has no such Dot-string),
   * a local part over RFC 5321's 64 octets, a host without a dot (a relay delivers `root@localhost`
   * to its own root) and an IPv4 address written as a domain.
   */
  it.each([
    '=?x?q?evil=40evil.net=3e=00?=foo@example.com',
    '.a@example.com',
    'a.@example.com',
    'a..b@example.com',
    `${'x'.repeat(65)}@example.com`,
    'root@localhost',
    'a@192.168.1.10',
  ])('refuses the address %j, which no mail server delivers as written, writing nothing', async (email) => {
    await expectNothingWritten(suite.server, async () => {
      const refused = await call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/agents`, alice.token, { agentId: 'mallory', email, displayName: 'Mallory', role: 'MEMBER' });
      expectProblem(refused, 400, 'INVALID_INPUT');
      expect(refused.body.detail).toContain('email');
    });
  });

  it("takes RFC 5321's unusual but deliverable addresses, and mails them as written", async () => {
    const email = "o'brien+keys/ops=1@mail-1.acme.example.co.uk";
    expectAccepted(await call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/agents`, alice.token, { agentId: 'obrien', email, displayName: "Dana O'Brien", role: 'MEMBER' }), 201);
    const obrien = { orgId: alice.orgId, agentId: 'obrien', token: await suite.server.token(alice.orgId, 'obrien') };
    await suite.journey.requestKey(obrien);
    const waiting = await emailTo(suite.server.dataDir, 'alice@example.com', /Dana O'Brien asks/);
    expect(waiting.text).toContain(`Dana O'Brien <${email}>`);
  });

  it("shows the recipient's name literally in To", async () => {
    const rejected = await emailTo(suite.server.dataDir, 'eve@example.com', /rejected/);
    expect(rejected.to).toMatchObject({ value: [{ address: 'eve@example.com', name }] });
  });
});
