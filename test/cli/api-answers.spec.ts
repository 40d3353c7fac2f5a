import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXIT } from '../../src/cli/exit-codes';
import { ProfileStore } from '../../src/cli/profile-store';
import { runCli } from '../../src/cli/run-cli';
import { fingerprint } from '../../src/crypto/public-key';
import { verificationCode } from '../../src/crypto/verification-code';
import { generateKeyPair } from '../support/ed25519-keys';
import { memoryIo } from './support/memory-io';
import { standInApi, type StandInApi } from './support/stand-in-api';
import { statusAnswer } from './support/status-answer';

interface Answer {
  status: number;
  body?: unknown;
  contentType?: string;
}
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * How the CLI maps HTTP answers to exit codes and when it signs. The ztkeys server is not
 * needed to produce a 403 or a 503: a plain HTTP listener answers what each case needs
 * (the whole journey against the real server is test/cli/journey.spec.ts).
 */
describe('server answers', () => {
  let api: StandInApi;
  let home: string;
  let answer: Answer;
  const seen: Seen[] = [];

  beforeAll(async () => {
    api = await standInApi('api', (request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        seen.push({ method: request.method!, url: request.url!, headers: request.headers, body });
        response.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/problem+json' });
        response.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {}));
      });
    });
    home = api.home;
  });
  afterAll(() => api.close());
  beforeEach(() => {
    seen.length = 0;
  });

  const run = async (...argv: string[]) => {
    const io = memoryIo({ ZTKEYS_HOME: home });
    const code = await runCli(argv, io);
    return { code, stdout: io.stdout.text, stderr: io.stderr.text };
  };

  it('shows a 4xx problem and exits 3', async () => {
    answer = { status: 403, body: { type: 'about:blank', title: 'Forbidden', status: 403, detail: 'Only a SUPER_ADMIN manages agents.', code: 'NOT_SUPER_ADMIN' } };
    const { code, stderr } = await run('agents', 'remove', 'carol');
    expect(code).toBe(EXIT.REFUSED);
    expect(stderr).toBe('ztkeys: Forbidden (HTTP 403): Only a SUPER_ADMIN manages agents.\n  code: NOT_SUPER_ADMIN\n');
    expect(seen).toMatchObject([{ method: 'DELETE', url: '/v1/orgs/org-1/agents/carol', headers: { authorization: 'Bearer token-1' } }]);
  });

  it('writes the controls and bidirectional overrides of an answer as escapes, so that no answer writes to the terminal itself', async () => {
    // A problem whose detail clears the screen and forges a prompt (an older log, or a server not to be trusted that far).
    answer = { status: 403, body: { title: 'Forbidden', status: 403, detail: '\u001b[2J\u001b[HAll good.\rEve\u202Egnp.exe', code: 'NOT_SUPER_ADMIN' } };
    const { code, stderr } = await run('agents', 'remove', 'carol');
    expect(code).toBe(EXIT.REFUSED);
    expect(stderr).toBe('ztkeys: Forbidden (HTTP 403): \\u001b[2J\\u001b[HAll good.\\u000dEve\\u202egnp.exe\n  code: NOT_SUPER_ADMIN\n');
    expect(stderr).not.toMatch(/[\u001b\r\u202e]/);

    // A listing: the name as its escapes, the rest of the table as it was.
    answer = { status: 200, body: statusAnswer([{ agentId: 'eve', displayName: 'Eve\u202Egnp.exe\u001b[8m', role: 'MEMBER', keyStatus: 'NONE' }]), contentType: 'application/json' };
    const listing = await run('status');
    expect(listing.code).toBe(EXIT.OK);
    expect(listing.stdout).toMatch(/eve\s+Eve\\u202egnp\.exe\\u001b\[8m\s+MEMBER\s+NONE/);
    expect(listing.stdout).not.toMatch(/[\u001b\u202e]/);

    // --json: the same value, each such character written as its JSON escape (JSON.stringify writes C1 controls and overrides as they are).
    answer = { status: 200, body: statusAnswer([{ agentId: 'eve', displayName: 'Eve\u202Egnp.exe\u009b2J', role: 'MEMBER', keyStatus: 'NONE' }]), contentType: 'application/json' };
    const json = await run('status', '--json');
    expect(json.code).toBe(EXIT.OK);
    expect(json.stdout).toContain('"displayName": "Eve\\u202egnp.exe\\u009b2J"');
    expect(JSON.parse(json.stdout).agents[0].displayName).toBe('Eve\u202Egnp.exe\u009b2J');
    answer = { status: 403, body: { title: 'Forbidden', status: 403, detail: 'Eve\u202Egnp.exe\u009b2J', code: 'NOT_SUPER_ADMIN' } };
    const refused = await run('agents', 'remove', 'carol', '--json');
    expect(refused.code).toBe(EXIT.REFUSED);
    expect(JSON.parse(refused.stderr).error.problem.detail).toBe('Eve\u202Egnp.exe\u009b2J');
    expect(json.stdout + refused.stderr).not.toMatch(/[\u009b\u202e]/);
  });

  it('writes invisible characters of an answer as escapes too: a name that shows as "Alice" shows what it holds', async () => {
    // U+200B and tag characters show as nothing: "Alice\u200B" would read as the Alice of the org, tags carry text no one sees.
    answer = { status: 200, body: statusAnswer([{ agentId: 'eve', displayName: 'Alice\u200B\u{E0041}\u{E0042}', role: 'MEMBER', keyStatus: 'NONE' }]), contentType: 'application/json' };
    const listing = await run('status');
    expect(listing.code).toBe(EXIT.OK);
    expect(listing.stdout).toMatch(/eve\s+Alice\\u200b\\udb40\\udc41\\udb40\\udc42\s+MEMBER/);
    const json = await run('status', '--json');
    expect(JSON.parse(json.stdout).agents[0].displayName).toBe('Alice\u200B\u{E0041}\u{E0042}');
    answer = { status: 403, body: { title: 'Forbidden', status: 403, detail: 'Only\u2060 a\u00AD SUPER_ADMIN', code: 'NOT_SUPER_ADMIN' } };
    const refused = await run('agents', 'remove', 'carol');
    expect(refused.stderr).toContain('Only\\u2060 a\\u00ad SUPER_ADMIN');
    expect(listing.stdout + json.stdout + refused.stderr).not.toMatch(/[\u200B\u2060\u00AD\u{E0041}]/u);
  });

  it("writes a line break or tab of a server's text as its escape: a name or a problem cannot forge a line of the table, of the request under review, or of a message", async () => {
    // A row that is not in the org, shown under the real one; a success line under the refusal.
    answer = { status: 200, body: statusAnswer([{ agentId: 'eve', displayName: 'Eve\nmallory  Mallory  SUPER_ADMIN\tACTIVE', role: 'MEMBER', keyStatus: 'NONE' }]), contentType: 'application/json' };
    const listing = await run('status');
    expect(listing.code).toBe(EXIT.OK);
    expect(listing.stdout).toMatch(/eve\s+Eve\\u000amallory  Mallory  SUPER_ADMIN\\u0009ACTIVE\s+MEMBER/);
    expect(listing.stdout).not.toMatch(/^mallory/m);
    answer = { status: 403, body: { title: 'Forbidden\nApproved', status: 403, detail: "Nope.\nApproved: bob's key is ACTIVE.", code: 'X\ny' } };
    const refused = await run('agents', 'remove', 'carol');
    expect(refused.stderr).toBe("ztkeys: Forbidden\\u000aApproved (HTTP 403): Nope.\\u000aApproved: bob's key is ACTIVE.\n  code: X\\u000ay\n");
    // An item of errors as text (a proxy's, or an older server's) is one line too.
    answer = { status: 400, body: { title: 'Bad Request', status: 400, detail: 'Invalid input.', code: 'INVALID_INPUT', errors: ["name\nApproved: bob's key is ACTIVE."] } };
    const invalid = await run('agents', 'remove', 'carol');
    expect(invalid.stderr).toBe("ztkeys: Bad Request (HTTP 400): Invalid input.\n  code: INVALID_INPUT\n  - name\\u000aApproved: bob's key is ACTIVE.\n");

    // login names the org the server says the token is of: a name cannot add a line under it.
    const policy = { firstKeyRequiresAdmin: true, memberKeyApprovals: 1, adminKeyApprovals: 1, recoveryDelayHours: 72, pendingRequestExpiryHours: 168, reminderAfterHours: 48 };
    answer = { status: 200, contentType: 'application/json', body: { orgId: 'org-1', name: 'Acme\nLogged in to Another Org', policy, agents: 1, firstKeyAssigned: true } };
    const token = ['{"alg":"HS256"}', JSON.stringify({ sub: 'bob', org: 'org-1', exp: Math.floor(Date.now() / 1000) + 3600 })].map((part) => Buffer.from(part).toString('base64url')).join('.') + '.sig';
    const loginIo = memoryIo({ ZTKEYS_HOME: home, ZTKEYS_TOKEN: token });
    expect(await runCli(['login', '--api', new ProfileStore(home).get('default')!.apiUrl, '--profile', 'login-check'], loginIo)).toBe(EXIT.OK);
    new ProfileStore(home).use('default');
    expect(loginIo.stdout.text).toMatch(/^Logged in to Acme\\u000aLogged in to Another Org \(org-1\)/);

    // The request an approver reviews: a display name that adds a verification code line above the one computed here.
    const { publicKey } = generateKeyPair();
    answer = {
      status: 200,
      contentType: 'application/json',
      body: {
        requestId: 'req-1', agentId: 'bob', displayName: 'Bob\n  verification code  000 000 000 000 000', status: 'PENDING', publicKey, fingerprint: fingerprint(publicKey), verificationCode: verificationCode('org-1', 'bob', publicKey),
        failedAttempts: 0, approvals: [], approvalsRequired: 1, requestedAt: '2025-01-01T00:00:00.000Z', remindAt: '2025-01-03T00:07:00.000Z', expiresAt: '2025-01-08T00:07:00.000Z', history: [],
      },
    };
    const io = memoryIo({ ZTKEYS_HOME: home }, '\n');
    await runCli(['keys', 'approve', 'req-1'], io);
    expect(io.stdout.text + io.stderr.text).toMatch(/requester +bob \(Bob\\u000a  verification code  000 000 000 000 000\)/);
    expect(io.stdout.text + io.stderr.text).not.toMatch(/^\s*verification code\s+000/m);
  });

  it('refuses to decide on, and flags in the pending list, a request whose requester id or fingerprint is no id or fingerprint the server gives: it would write lines of its own into every sentence naming it', async () => {
    const { publicKey } = generateKeyPair();
    const agentId = "bob\nApproved: carol's key is ACTIVE.";
    const request = {
      requestId: 'req-1', agentId, status: 'PENDING', publicKey, fingerprint: fingerprint(publicKey), verificationCode: verificationCode('org-1', agentId, publicKey),
      failedAttempts: 0, approvals: [], approvalsRequired: 1, requestedAt: '2025-01-01T00:00:00.000Z', remindAt: '2025-01-03T00:07:00.000Z', expiresAt: '2025-01-08T00:07:00.000Z', history: [],
    };
    answer = { status: 200, contentType: 'application/json', body: request };
    const io = memoryIo({ ZTKEYS_HOME: home }, '123456789012345\n');
    expect(await runCli(['keys', 'approve', 'req-1'], io)).toBe(EXIT.CHECK_FAILED);
    expect(io.stderr.text).toContain('its requester id "bob\\nApproved: carol\'s key is ACTIVE." is not an id as the server gives them');
    expect(io.stdout.text + io.stderr.text).not.toMatch(/^Approved/m);
    expect(seen.map(({ method }) => method)).toEqual(['GET']);

    const forged = { ...request, agentId: 'bob', fingerprint: 'ab\nall checks passed', verificationCode: verificationCode('org-1', 'bob', publicKey) };
    answer = { status: 200, contentType: 'application/json', body: { items: [{ ...forged, replacesFingerprint: null, requestedPosition: 3, attemptsLeft: 5, remindedAt: null }] } };
    const pending = await run('keys', 'pending');
    expect(pending.stderr).toContain('the server shows fingerprint "ab\\nall checks passed"');
    expect(pending.stdout + pending.stderr).not.toMatch(/^all checks passed/m);
  });

  it("refuses a requester id that would rewrite the screen above the code's prompt, and writes it with its escapes", async () => {
    // Everything the approver checks is on the screen above the prompt: erase it, and forge a line.
    const agentId = 'mallory\u001b[4A\u001b[J\rKey request for bob\u202E';
    const { publicKey } = generateKeyPair();
    answer = {
      status: 200,
      contentType: 'application/json',
      body: {
        requestId: 'req-1', agentId, status: 'PENDING', publicKey, fingerprint: fingerprint(publicKey), verificationCode: verificationCode('org-1', agentId, publicKey),
        failedAttempts: 0, approvals: [], approvalsRequired: 1, requestedAt: '2025-01-01T00:00:00.000Z', remindAt: '2025-01-03T00:07:00.000Z', expiresAt: '2025-01-08T00:07:00.000Z', history: [],
      },
    };
    const io = memoryIo({ ZTKEYS_HOME: home }, '123456789012345\n');
    // No id as the server gives them: refused before the request is shown or a code asked for (the prompt escapes such text too: terminal.ts).
    expect(await runCli(['keys', 'approve', 'req-1'], io)).toBe(EXIT.CHECK_FAILED);
    expect(io.stderr.text).toContain('its requester id "mallory\\u001b[4A\\u001b[J\\rKey request for bob\\u202e" is not an id as the server gives them');
    expect(io.stderr.text).not.toContain('Verification code read out by');
    expect(io.stderr.text + io.stdout.text).not.toMatch(/[\u001b\r\u202e]/);
  });

  it("refuses a reason, name or task the server would refuse by the server's own rule, before asking the server anything (exit 2)", async () => {
    answer = { status: 500, body: {} };
    const cases: [string[], RegExp][] = [
      [['keys', 'revoke', 'bob', '--reason', 'Lost laptop '], /--reason must not begin or end with whitespace/],
      [['keys', 'revoke', 'bob', '--reason', '\nLost laptop'], /--reason must not begin or end with whitespace/],
      [['keys', 'reject', 'req-1', '--reason', ' not on the rota'], /--reason must not begin or end with whitespace/],
      [['keys', 'revoke', 'bob', '--reason', 'Lost\u200B laptop'], /--reason must not hold invisible characters.*U\+200B/],
      [['keys', 'revoke', 'bob', '--reason', 'Lost \u001b[2J'], /--reason must not hold control characters/],
      [['agents', 'add', 'carol', '--email', 'carol@example.com', '--name', 'Carol '], /--name must not begin or end with whitespace/],
      [['task', 'authorize', 'remote-control\u200B', '--browser', 'b1'], /<task> must not hold invisible characters/],
    ];
    for (const [argv, message] of cases) {
      const { code, stderr } = await run(...argv);
      expect({ argv, code, stderr }).toEqual({ argv, code: EXIT.USAGE, stderr: expect.stringMatching(message) });
    }
    expect(seen).toEqual([]);
    // Whitespace and line feeds inside a reason are kept, as the server keeps them.
    answer = { status: 200, body: { position: '7' }, contentType: 'application/json' };
    await run('keys', 'revoke', 'bob', '--reason', 'Lost laptop.\n\nReported by phone.');
    expect(seen.map(({ body }) => JSON.parse(body))).toEqual([{ reason: 'Lost laptop.\n\nReported by phone.' }]);
  });

  it('exits 4 on a 5xx, on an answer that is not JSON, and when the server cannot be reached', async () => {
    answer = { status: 503, body: { title: 'Service Unavailable', status: 503 } };
    expect((await run('agents', 'remove', 'carol')).code).toBe(EXIT.SERVER);
    answer = { status: 200, body: '<html>proxy</html>', contentType: 'text/html' };
    expect((await run('agents', 'remove', 'carol')).code).toBe(EXIT.SERVER);

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    new ProfileStore(home).save('gone', { apiUrl: `http://127.0.0.1:${port}`, token: 't', orgId: 'org-1', agentId: 'bob' });
    const { code, stderr } = await run('status', '--profile', 'gone');
    expect(code).toBe(EXIT.SERVER);
    expect(stderr).toMatch(/Cannot reach the ztkeys server at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  });

  it.each([
    ['null', null, ['status']],
    ['a list', [], ['keys', 'pending']],
    ['a string', 'x', ['policy', 'show']],
    ['a page whose items are no list', { agents: { length: 3 }, totals: {} }, ['status']],
    ['a page whose items are no list', { items: { length: 2 } }, ['keys', 'pending']],
    ['a page whose item lacks what the table shows', { items: [{}] }, ['keys', 'pending']],
    ['an as-of answer without agents', {}, ['audit', 'as-of', '2025-01-01T00:00:00Z']],
    ['an as-of answer whose agent has no key', { at: '2025-01-01T00:00:00Z', agents: [{ agentId: 'bob', role: 'MEMBER', rememberedBrowsers: [] }] }, ['audit', 'as-of', '2025-01-01T00:00:00Z']],
  ])('exits 4 on a success answer that is %s, as an unreadable answer, not an internal error', async (_, body, argv) => {
    answer = { status: 200, body: JSON.stringify(body), contentType: 'application/json' };
    const { code, stderr } = await run(...argv);
    expect(stderr).not.toMatch(/internal error|TypeError/);
    expect(code).toBe(EXIT.SERVER);
    expect(stderr).toMatch(/^ztkeys: The server's answer is not what API v1 answers/);
  });

  it.each([
    ['a member missing', { agents: [] }, ['status'], 'totals: is missing'],
    ['a member of another type', { position: 42 }, ['agents', 'remove', 'carol'], 'position: must be string'],
    ['null where the document says a string', { authorized: true, method: 'REMEMBERED', validUntil: null, position: '7' }, ['task', 'authorize', 'remote-control', '--browser', 'laptop'], 'validUntil: must be string'],
    ['a value outside its enum', { authorized: true, method: 'GUESSED', validUntil: '2025-01-02T00:00:00.000Z', position: '7' }, ['task', 'authorize', 'remote-control', '--browser', 'laptop'], 'method: must be equal to one of the allowed values'],
    ['a date that is no date-time', { authorized: true, method: 'REMEMBERED', validUntil: 'tomorrow', position: '7' }, ['task', 'authorize', 'remote-control', '--browser', 'laptop'], 'validUntil: must match format "date-time"'],
  ])('exits 4 on any command whose answer differs from the OpenAPI document (%s), naming the member', async (_, body, argv, why) => {
    answer = { status: 200, body, contentType: 'application/json' };
    const { code, stderr } = await run(...argv);
    expect(code).toBe(EXIT.SERVER);
    expect(stderr).toBe(`ztkeys: The server's answer is not what API v1 answers: ${why}.\n`);
  });

  it('exits 4 on a success status or content type the document does not declare for the operation', async () => {
    answer = { status: 200, body: { position: '42' }, contentType: 'application/json' };
    expect((await run('agents', 'add', 'dave', '--email', 'dave@example.com', '--name', 'Dave')).stderr).toBe("ztkeys: The server's answer is not what API v1 answers: status 200 is not declared for POST /v1/orgs/{orgId}/agents (declared: 201, 400, 401, 403, 404, 408, 409, 413, 414, 415, 417, 422, 429, 431, 503).\n");
    answer = { status: 200, body: { position: '42' }, contentType: 'application/vnd.other+json' };
    const other = await run('agents', 'remove', 'carol');
    expect(other.code).toBe(EXIT.SERVER);
    expect(other.stderr).toMatch(/content type "application\/vnd\.other\+json" is not declared for 200 of DELETE \/v1\/orgs\/\{orgId\}\/agents\/\{agentId\}/);
  });

  it('refuses a --json field a list\'s items do not declare, also when the list is empty (exit 2, naming the fields there are)', async () => {
    answer = { status: 200, body: { items: [] }, contentType: 'application/json' };
    // A script's typo was a quiet [] until the first request came in.
    const typo = await run('keys', 'pending', '--json=requestID');
    expect(typo.code).toBe(EXIT.USAGE);
    expect(typo.stderr).toMatch(/--json: no field requestID; available: .*\brequestId\b.*\bverified\b/);
    expect(JSON.parse((await run('keys', 'pending', '--json=requestId,agentId')).stdout)).toEqual([]);
    answer = { status: 200, body: statusAnswer([]), contentType: 'application/json' };
    expect((await run('status', '--json=agentID')).code).toBe(EXIT.USAGE);
    expect(JSON.parse((await run('status', '--json=agentId,keyStatus')).stdout)).toEqual([]);
  });

  it('makes later reads wait for the position of its last write (X-Min-Position)', async () => {
    answer = { status: 201, body: { agentId: 'dave', position: '42' }, contentType: 'application/json' };
    expect((await run('agents', 'add', 'dave', '--email', 'dave@example.com', '--name', 'Dave')).code).toBe(EXIT.OK);
    answer = { status: 200, body: statusAnswer([]), contentType: 'application/json' };
    expect((await run('status')).code).toBe(EXIT.OK);
    expect(JSON.parse(seen[0].body)).toEqual({ agentId: 'dave', email: 'dave@example.com', displayName: 'Dave', role: 'MEMBER' });
    expect(seen[1]).toMatchObject({ method: 'GET', url: '/v1/orgs/org-1/zero-trust-status', headers: { 'x-min-position': '42' } });

    // --min-position names another machine's write: the later of the two positions is awaited.
    expect((await run('status', '--min-position', '99')).code).toBe(EXIT.OK);
    expect((await run('status', '--min-position', '7')).code).toBe(EXIT.OK);
    expect(seen.slice(2).map((request) => request.headers['x-min-position'])).toEqual(['99', '42']);
  });

  it('authorizes a remembered task without asking for the passphrase', async () => {
    answer = { status: 200, body: { authorized: true, method: 'REMEMBERED', validUntil: '2025-01-02T00:00:00.000Z', position: '7' }, contentType: 'application/json' };
    const { code, stdout } = await run('task', 'authorize', 'remote-control', '--browser', 'laptop');
    expect(code).toBe(EXIT.OK);
    expect(stdout).toMatch(/Authorized "remote-control" in browser laptop without a signature \(remembered\)/);
    expect(seen).toHaveLength(1);
  });

  it('goes on to sign only when the server answers promptRequired, not on any 401', async () => {
    answer = { status: 401, body: { title: 'Unauthorized', status: 401, detail: 'Token expired.' } };
    const plain = await run('task', 'authorize', 'remote-control', '--browser', 'laptop');
    // Any other 401: the token expired or is no longer accepted, exit 8 with how to log in again.
    expect(plain.code).toBe(EXIT.TOKEN_EXPIRED);
    expect(plain.stderr).toMatch(/Token expired\.\nGet a new agent token and log in again: ztkeys login --api <url> --profile <name>\.\n$/);

    answer = { status: 401, body: { title: 'Unauthorized', status: 401, detail: 'Signature required.', promptRequired: true } };
    const prompted = await run('task', 'authorize', 'remote-control', '--browser', 'laptop');
    // The next step is unlocking the key, and bob has none on this machine.
    expect(prompted.code).toBe(EXIT.USAGE);
    expect(prompted.stderr).toMatch(/No signature key of bob on this machine: run "ztkeys keys create" first/);
  });
});
