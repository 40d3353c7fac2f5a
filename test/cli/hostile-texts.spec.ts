import canonicalize from 'canonicalize';
import { writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { fingerprint } from '../../src/crypto/public-key';
import { verificationCode } from '../../src/crypto/verification-code';
import { verifierKeyText } from '../../src/transparency/signed-note';
import { LOG_SIGNER, SyntheticExport } from '../transparency/support/synthetic-export';
import { CLI_BUILT, runProcess } from './support/cli-process';
import { standInApi, type StandInApi } from './support/stand-in-api';

/** A line the server would add under the CLI's own, were its id written as it is. */
const FORGED = "Approved: carol's key is ACTIVE.";
const HOSTILE_ID = `req-1\n${FORGED}`;
const PASSPHRASE = 'correct horse battery staple';

type Route = (body: Record<string, unknown>) => { status: number; body: unknown; contentType?: string };

/**
 * What a server not to be trusted that far can put into the texts the CLI writes around its
 * answers: ids inside the CLI's own sentences, and problems whose members are no text. The built
 * CLI runs as its own process (run npm run build first) against a listener answering what each
 * case needs.
 */
describe('hostile texts in answers', () => {
  let api: StandInApi;
  const routes = new Map<string, Route>();
  let publicKey = '';

  const json = (status: number, body: unknown) => ({ status, body, contentType: 'application/json' });
  const answer = (request: IncomingMessage, response: ServerResponse) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => {
      const route = routes.get(`${request.method} ${decodeURIComponent(request.url!.split('?')[0])}`);
      const { status, body, contentType } = route ? route(text ? (JSON.parse(text) as Record<string, unknown>) : {}) : { status: 404, body: {}, contentType: undefined };
      response.writeHead(status, { 'content-type': contentType ?? 'application/problem+json' });
      response.end(JSON.stringify(body));
    });
  };

  beforeAll(async () => {
    api = await standInApi('hostile-texts', answer);
    // Challenges as the server issues them: the CLI signs only a statement binding what it asked for.
    routes.set('POST /v1/orgs/org-1/challenges', (body) => {
      const issuedAt = new Date();
      const expiresAt = new Date(issuedAt.getTime() + 5 * 60_000).toISOString();
      const statement = canonicalize({ orgId: 'org-1', agentId: 'bob', ...body, nonce: 'n-1', issuedAt: issuedAt.toISOString(), expiresAt })!;
      return json(201, { challengeId: 'ch-1', statement, expiresAt });
    });
    routes.set('POST /v1/orgs/org-1/key-requests', (body) => {
      publicKey = body.publicKey as string;
      return json(201, { requestId: HOSTILE_ID, status: 'PENDING', verificationCode: verificationCode('org-1', 'bob', publicKey), fingerprint: fingerprint(publicKey), position: '5' });
    });
  });
  afterAll(() => api.close());

  const run = (args: string[], fd3?: string) => runProcess(CLI_BUILT, args, { env: { PATH: process.env.PATH, ZTKEYS_HOME: api.home }, fd3 });
  const lines = (run: { stdout: string; stderr: string }) => `${run.stdout}\n${run.stderr}`.split('\n');

  it("writes a line feed of a server's id inside the CLI's own sentences as its escape: the id cannot forge a line", async () => {
    const created = await run(['keys', 'create', '--passphrase-fd', '3'], PASSPHRASE);
    expect(created.code).toBe(EXIT.OK);
    expect(created.stdout).toContain(`Key request req-1\\u000a${FORGED} is PENDING`);
    expect(lines(created)).not.toContain(`${FORGED} is PENDING: an admin must approve it.`);

    // The next command that signs learns the request was approved, and names it as the server did.
    routes.set('POST /v1/orgs/org-1/sensitive-tasks', (body) =>
      body.challengeId
        ? json(200, { authorized: true, method: 'SIGNATURE', validUntil: '2026-12-06T00:00:00.000Z', position: '7' })
        : { status: 401, body: { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Sign it.', code: 'PROMPT_REQUIRED', promptRequired: true } },
    );
    routes.set(`GET /v1/orgs/org-1/key-requests/${HOSTILE_ID}`, () =>
      json(200, {
        requestId: HOSTILE_ID, agentId: 'bob', status: 'APPROVED', publicKey, fingerprint: fingerprint(publicKey), verificationCode: verificationCode('org-1', 'bob', publicKey),
        failedAttempts: 0, approvals: ['alice'], approvalsRequired: null, requestedAt: '2026-12-05T00:00:00.000Z', remindAt: null, expiresAt: null, history: [],
      }),
    );
    const authorized = await run(['task', 'authorize', 'remote-control', '--browser', 'laptop', '--passphrase-fd', '3'], PASSPHRASE);
    expect(authorized.code).toBe(EXIT.OK);
    expect(authorized.stdout).toContain(`Your key request req-1\\u000a${FORGED} was approved`);
    expect(lines(authorized).filter((line) => line.startsWith('Approved:'))).toEqual([]);
  });

  it("refuses a problem whose title, detail or code is no text as an unreadable answer (exit 4), naming the member: it does not show it as '[object Object]'", async () => {
    for (const [member, value, shown] of [
      ['title', { text: 'Forbidden' }, 'an object'],
      ['detail', ['Only a SUPER_ADMIN', 'manages agents.'], 'an array'],
      ['code', 403, 'a number'],
    ] as const) {
      const problem = { type: 'about:blank', title: 'Forbidden', status: 403, detail: 'Only a SUPER_ADMIN manages agents.', code: 'NOT_SUPER_ADMIN', [member]: value };
      routes.set('DELETE /v1/orgs/org-1/agents/carol', () => ({ status: 403, body: problem }));
      const removed = await run(['agents', 'remove', 'carol']);
      expect({ code: removed.code, stderr: removed.stderr }).toEqual({
        code: EXIT.SERVER,
        stderr: `ztkeys: The server's answer is not what API v1 answers: the ${member} of its problem (HTTP 403) is ${shown}, not text.\n`,
      });
      const asJson = await run(['agents', 'remove', 'carol', '--json']);
      expect(JSON.parse(asJson.stderr).error).toMatchObject({ exitCode: EXIT.SERVER, problem: { [member]: value } });
    }
  });

  it("writes an org id of an export on one line in audit verify's verdict: an org no checkpoint signs cannot forge a line saying the log verified", async () => {
    const file = join(api.home, 'export.ndjson');
    writeFileSync(file, new SyntheticExport(undefined, 'acme\nAudit log verified').directoryChanges(1).text());
    const verified = await run(['audit', 'verify', file, '--log-key', verifierKeyText(LOG_SIGNER)]);
    expect(verified.code).toBe(EXIT.UNCOVERED);
    expect(verified.stdout).toContain('org acme\\u000aAudit log verified: 3 events, 0 checkpoints');
    expect(verified.stderr).toContain('3 events of org acme\\u000aAudit log verified are signed by no checkpoint');
    expect(lines(verified).filter((line) => line.startsWith('Audit log verified') && !line.includes('NOT past it'))).toEqual([]);
  });
});
