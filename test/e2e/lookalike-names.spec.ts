import { domainToASCII } from 'node:url';
import { envelope } from '../../src/application/command-context';
import type { AgentAdded } from '../../src/domain/organization/organization.events';
import { orgStream } from '../../src/domain/streams';
import { newId } from '../../src/shared/ids';
import { call, type Reply, type TestAgent } from '../support/api-client';
import { serverForSuite } from '../support/server-for-suite';
import { expectAccepted, expectNothingWritten, expectProblem } from './expectations';

/** The address at the punycode form of `domain`, as an attacker writes it: ASCII, which the address pattern takes. */
const at = (local: string, domain: string) => `${local}@${domainToASCII(domain)}`;

/**
 * Names and addresses an approver could take for others' (a pending key of "Alice <alice@аpple.com>"
 * approved as Alice of apple.com), refused where the API takes them in; kept readable in a log
 * that already holds them.
 */
describe('lookalike names and email domains', () => {
  const suite = serverForSuite();
  let alice: TestAgent;
  beforeAll(async () => {
    alice = await suite.journey.createOrg('alice');
  });

  const addAgent = (agentId: string, email: string, displayName: string) =>
    call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/agents`, alice.token, { agentId, email, displayName, role: 'MEMBER' });
  const createOrg = (email: string, displayName: string) =>
    call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, { name: 'Acme', superAdmin: { agentId: 'zed', email, displayName } });
  const problems = (reply: Reply): Record<string, string[]> =>
    Object.fromEntries(reply.body.errors.map((error: { field: string; problems: string[] }) => [error.field, error.problems]));

  it.each([
    ['a label mixing Cyrillic and Latin (аpple.com, its а Cyrillic)', at('bob', 'аpple.com'), /xn--pple-43d, that shows as "аpple", mixing Cyrillic and Latin: it reads as another domain/],
    ['a Cyrillic label of letters that look like Latin ones, under .com (аррӏе.com)', at('bob', 'аррӏе.com'), /xn--80ak6aa92e, that shows as "аррӏе", Cyrillic letters that look like Latin ones/],
    ['a Greek label of such letters (ορα.com)', at('bob', 'ορα.com'), /Greek letters that look like Latin ones/],
    ['a label mixing Greek and Latin in a subdomain (mail.pαypal.com)', at('bob', 'mail.pαypal.com'), /mixing Latin and Greek/],
    ['punycode of a name IDNA writes otherwise (müller with its ü decomposed: another address that shows the same)', 'bob@xn--muller-xyd.de', /xn--muller-xyd, that is not the punycode \(xn--\) of an international name as IDNA writes it/],
    ['punycode that decodes to nothing', 'bob@xn--zz.com', /xn--zz, that is not the punycode/],
    ['punycode of a symbol (an emoji domain)', at('bob', '💩.la'), /xn--ls8h, that is not the punycode/],
  ])('refuses an email domain with %s: 400 naming the field, nothing written', async (_, email, message) => {
    await expectNothingWritten(suite.server, async () => {
      const added = await addAgent('bob', email, 'Bob');
      expectProblem(added, 400, 'INVALID_INPUT');
      expect(problems(added)).toEqual({ email: [expect.stringMatching(message)] });
      const created = await createOrg(email, 'Zed');
      expectProblem(created, 400, 'INVALID_INPUT');
      expect(problems(created)).toEqual({ 'superAdmin.email': [expect.stringMatching(message)] });
    });
  });

  it.each([
    ['Аlice', /"Аlice" mixes Cyrillic and Latin/],
    ['Paypal Ѕupport', /"Ѕupport" mixes Cyrillic and Latin/],
    ['Ρeter Smith', /"Ρeter" mixes Greek and Latin/],
    ['Jean-Сlaude', /"Сlaude" mixes Cyrillic and Latin/],
  ])('refuses a display name with a word mixing scripts (%s): 400 naming the field, nothing written', async (displayName, message) => {
    await expectNothingWritten(suite.server, async () => {
      const added = await addAgent('bob', 'bob@example.com', displayName);
      expectProblem(added, 400, 'INVALID_INPUT');
      expect(problems(added)).toEqual({ displayName: [expect.stringMatching(message)] });
      const created = await createOrg('zed@example.com', displayName);
      expect(problems(created)).toEqual({ 'superAdmin.displayName': [expect.stringMatching(message)] });
    });
  });

  it('takes international addresses and names written in one script per word', async () => {
    const fine: [string, string][] = [
      [at('anna', 'müller.de'), 'Anna Müller'],
      [at('ivan', 'почта.рф'), 'Иван Petrov'],
      [at('olga', 'аре.рф'), 'Ольга'],
      [at('eleni', 'παράδειγμα.gr'), 'Ελένη Παπαδοπούλου'],
      [at('taro', '例え.jp'), '山田 太郎'],
      ['kenji@example.com', 'Kenjiけんじ田中'],
      ['minsu@example.com', '김민수 Kim'],
      ['chloe@xn--caf-dma.fr', 'Chloé Lefèvre-Dubois'],
      ['r2d2@example.com', 'R2-D2 ✨'],
    ];
    for (const [i, [email, displayName]] of fine.entries()) expectAccepted(await addAgent(`person-${i}`, email, displayName), 201);
  });

  it('reads an agent a log already holds with such a name and address, as it is recorded', async () => {
    const stream = orgStream(alice.orgId);
    const last = (await suite.server.eventStore.readStream(stream)).at(-1)!;
    const recorded: AgentAdded = { type: 'AgentAdded', data: { agentId: 'legacy', email: at('legacy', 'аpple.com'), displayName: 'Аlice', role: 'MEMBER' } };
    const commandId = newId();
    const { position } = await suite.server.eventStore.append([
      { stream, expected: last.revision, events: envelope([recorded], { actor: 'alice', orgId: alice.orgId, correlationId: commandId, commandId, now: new Date() }) },
    ]);
    const status = await call(suite.server, 'GET', `/v1/orgs/${alice.orgId}/zero-trust-status?limit=100`, alice.token, undefined, { 'x-min-position': String(position) });
    expect(status.status).toBe(200);
    expect(status.body.agents).toEqual(expect.arrayContaining([expect.objectContaining({ agentId: 'legacy', email: 'legacy@xn--pple-43d.com', displayName: 'Аlice' })]));
    const log = await call(suite.server, 'GET', `/v1/orgs/${alice.orgId}/audit-log?type=AgentAdded&limit=100`, alice.token, undefined, { 'x-min-position': String(position) });
    expect(log.body.items.at(-1)).toMatchObject({ type: 'AgentAdded', data: recorded.data });
  });
});
