import { call, type Reply, type TestAgent } from '../support/api-client';
import { serverForSuite } from '../support/server-for-suite';
import { expectNothingWritten, expectProblem } from './expectations';

/** Characters that act on a terminal or a log reader (see src/shared/hidden-characters.ts), and line breaks and tabs, which forge a line. */
const ACTING = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;

/** Every string of a JSON value, members' names included. */
const stringsOf = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : typeof value === 'object' && value !== null ? Object.entries(value).flatMap(([name, member]) => [name, ...stringsOf(member)]) : [];

/** A problem none of whose texts holds a character that acts on a reader: each is shown as its escape. */
function expectShownSafely(reply: Reply, status: number, code: string): void {
  expectProblem(reply, status, code);
  expect(stringsOf(reply.body).filter((text) => ACTING.test(text))).toEqual([]);
}

/** An ESC sequence that clears the screen, an OSC that retitles the terminal, a C1 CSI, a right-to-left override, a line break. */
const TRICKS = { esc: '\u001b[2J', osc: '\u001b]0;owned\u0007', c1: 'x\u009b31m', bidi: 'evil\u202Egnp.exe', line: 'a\r\nINFO forged' };
const encoded = (text: string) => encodeURIComponent(text);

describe('problems show what the client sent without acting on who reads them (R15)', () => {
  const suite = serverForSuite();
  let alice: TestAgent;
  let base: string;

  beforeAll(async () => {
    alice = await suite.journey.createOrg('alice');
    base = `/v1/orgs/${alice.orgId}`;
  });

  it.each(Object.entries(TRICKS))('escapes %s in an id of a path (org, agent, browser, key request, recovery)', async (_, trick) => {
    const id = encoded(trick);
    expectShownSafely(await call(suite.server, 'GET', `/v1/orgs/${id}`, alice.token), 400, 'INVALID_INPUT');
    expectShownSafely(await call(suite.server, 'GET', `${base}/key-requests/${id}`, alice.token), 404, 'KEY_REQUEST_NOT_FOUND');
    expectShownSafely(await call(suite.server, 'POST', `${base}/key-requests/${id}/reject`, alice.token, { challengeId: 'c', signature: 'A'.repeat(86) }), 404, 'KEY_REQUEST_NOT_FOUND');
    expectShownSafely(await call(suite.server, 'PATCH', `${base}/agents/${id}`, alice.token, { role: 'ADMIN' }), 400, 'INVALID_INPUT');
    expectShownSafely(await call(suite.server, 'POST', `${base}/agents/alice/browsers/${id}/logout`, alice.token), 400, 'INVALID_INPUT');
    expectShownSafely(await call(suite.server, 'POST', `${base}/challenges`, alice.token, { purpose: 'RECOVERY_VETO', recoveryId: trick }), 404, 'RECOVERY_NOT_FOUND');
  });

  it('shows the escape of each such character, in quotes, so that the reader sees what was sent', async () => {
    const reply = await call(suite.server, 'GET', `${base}/key-requests/${encoded(TRICKS.bidi)}`, alice.token);
    expect(reply.body.detail).toBe('Key request "evil\\u202egnp.exe" does not exist.');
  });

  it('escapes such characters in the names of unknown query parameters and body members (errors[].field)', async () => {
    const query = await call(suite.server, 'GET', `${base}/audit-log?${encoded(TRICKS.esc)}=1`, alice.token);
    expectShownSafely(query, 400, 'INVALID_INPUT');
    expect(query.body.errors[0].field).toBe('\\u001b[2J');
    const body = await call(suite.server, 'POST', `${base}/agents`, alice.token, { agentId: 'bob', email: 'bob@acme.test', displayName: 'Bob', role: 'MEMBER', [TRICKS.bidi]: 1 });
    expectShownSafely(body, 400, 'INVALID_INPUT');
    expect(body.body.errors[0].field).toBe('evil\\u202egnp.exe');
  });

  it('quotes an id of a path cut to a bounded length, however long the id sent', async () => {
    const long = 'a'.repeat(500);
    for (const path of [`${base}/key-requests/${long}`, `/v1/orgs/${long}`, `${base}/agents/${long}`]) {
      const reply = await call(suite.server, path.includes('agents') ? 'PATCH' : 'GET', path, alice.token, path.includes('agents') ? { role: 'ADMIN' } : undefined);
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect({ path: path.slice(0, 60), length: reply.body.detail.length < 250 }).toEqual({ path: path.slice(0, 60), length: true });
      expect(reply.body.detail).toContain(`"${'a'.repeat(64)}…"`);
    }
  });

  it('quotes an id of a path, a body or a query that a refusal repeats, cut past 64 characters, as it does an unknown org', async () => {
    // 100 characters: a valid id, longer than any refusal repeats.
    const long = `${'a'.repeat(64)}${'b'.repeat(36)}`;
    const shown = `"${'a'.repeat(64)}…"`;
    const operator = suite.server.bootstrapToken;
    const added = { agentId: long, email: 'long@acme.test', displayName: 'Long', role: 'MEMBER' };
    expect((await call(suite.server, 'POST', `${base}/agents`, alice.token, added)).status).toBe(201);
    const upper = `${'A'.repeat(64)}${'b'.repeat(36)}`;
    await expectNothingWritten(suite.server, async () => {
      const refusals: [Reply, number, string][] = [
        [await call(suite.server, 'PATCH', `${base}/agents/${long}x`, alice.token, { role: 'ADMIN' }), 404, 'AGENT_NOT_FOUND'],
        [await call(suite.server, 'DELETE', `${base}/agents/${long}x`, alice.token), 404, 'AGENT_NOT_FOUND'],
        [await call(suite.server, 'DELETE', `${base}/agents/${long}x/key`, alice.token, { reason: 'gone' }), 404, 'AGENT_NOT_FOUND'],
        [await call(suite.server, 'POST', `${base}/agents`, alice.token, added), 409, 'AGENT_EXISTS'],
        [await call(suite.server, 'POST', `/v1/orgs/${long}/recoveries`, operator, { agentId: 'alice' }), 404, 'ORG_NOT_FOUND'],
        [await call(suite.server, 'POST', `${base}/recoveries`, operator, { agentId: `${long}x` }), 422, 'NOT_SUPER_ADMIN'],
        [await call(suite.server, 'GET', `${base}/audit-log/inclusion?eventId=${long}`, alice.token), 404, 'EVENT_NOT_FOUND'],
      ];
      for (const [reply, status, code] of refusals) {
        expectProblem(reply, status, code);
        expect({ code, detail: reply.body.detail }).toEqual({ code, detail: expect.stringContaining(shown) });
        expect({ code, cut: !reply.body.detail.includes('b'.repeat(36)) }).toEqual({ code, cut: true });
      }
      // Both ids of a clash in case: the one sent and the one of the org.
      const clash = await call(suite.server, 'POST', `${base}/agents`, alice.token, { ...added, agentId: upper });
      expectProblem(clash, 409, 'AGENT_ID_TAKEN_IN_OTHER_CASE');
      expect(clash.body.detail).toContain(`Agent ${shown} is already in this organization, and "${'A'.repeat(64)}…" differs from it only in case`);
    });
  });

  it('quotes the path of a method it does not take, of no route, or of an id past what the router reads, cut as well', async () => {
    const tooLong = await call(suite.server, 'GET', `${base}/key-requests/${'a'.repeat(12_000)}`, alice.token);
    expectProblem(tooLong, 414);
    const notTaken = await call(suite.server, 'GET', `${base}/agents/${'a'.repeat(500)}`, alice.token);
    expectProblem(notTaken, 405, 'METHOD_NOT_ALLOWED');
    const nowhere = await call(suite.server, 'GET', `/nothing-here/${'a'.repeat(12_000)}`);
    expectProblem(nowhere, 404, 'NOT_FOUND');
    for (const reply of [tooLong, notTaken, nowhere]) expect(reply.body.detail.length).toBeLessThan(250);
  });
});
