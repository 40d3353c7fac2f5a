import canonicalize from 'canonicalize';
import { randomUUID } from 'node:crypto';
import { EXIT } from '../../src/cli/exit-codes';
import { CLI_BUILT, runProcess } from './support/cli-process';
import { standInApi, type StandInApi } from './support/stand-in-api';

jest.setTimeout(60_000);

/**
 * A server (taken over, or a man in the middle on plain HTTP) answers `ztkeys keys create`'s
 * challenge request with a statement that binds, besides what the key request is for, a member
 * named like one every JavaScript object inherits (constructor, toString, __proto__): the built
 * CLI must refuse to sign it, as it refuses any other member it was not asked for.
 */
describe("a challenge statement binding a member named like an object's inherited one", () => {
  let api: StandInApi;
  /** The member added, as JSON text: an object literal with __proto__ would set a prototype, not hold a member. */
  let extra: string;
  const posted: string[] = [];

  beforeAll(async () => {
    api = await standInApi('extra-fields', (request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        posted.push(`${request.method} ${request.url}`);
        if (request.url === '/v1/orgs/org-1/challenges') {
          const { publicKey } = JSON.parse(body) as { publicKey: string };
          const now = Date.now();
          const bound = { orgId: 'org-1', agentId: 'bob', purpose: 'KEY_REQUEST', publicKey, nonce: randomUUID(), issuedAt: new Date(now).toISOString(), expiresAt: new Date(now + 300_000).toISOString() };
          // JSON.parse makes a "__proto__" of the text an own member; canonicalize writes it back.
          const fields = JSON.parse(JSON.stringify(bound).replace(/}$/, `,${extra}}`)) as object;
          response.writeHead(201, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ challengeId: 'ch-1', statement: canonicalize(fields), expiresAt: new Date(now + 300_000).toISOString() }));
          return;
        }
        // A signed key request reaching the server is the failure this suite looks for.
        response.writeHead(400, { 'content-type': 'application/problem+json' });
        response.end(JSON.stringify({ title: 'Bad Request', status: 400, detail: 'stand-in' }));
      });
    });
  });
  afterAll(() => api.close());
  beforeEach(() => {
    posted.length = 0;
  });

  it.each([
    ['constructor', '"APPROVE"'],
    ['toString', '"x"'],
    ['__proto__', '{"purpose":"KEY_DECISION"}'],
    ['hasOwnProperty', 'true'],
  ])('refuses to sign a statement that also binds %s (exit 5), and sends no signature', async (name, value) => {
    extra = `${JSON.stringify(name)}:${value}`;
    const result = await runProcess(CLI_BUILT, ['keys', 'create'], {
      env: { PATH: process.env.PATH, ZTKEYS_HOME: api.home, ZTKEYS_PASSPHRASE: 'correct horse battery staple' },
    });
    expect(posted).toEqual(['POST /v1/orgs/org-1/challenges']);
    expect(result).toMatchObject({
      code: EXIT.CHECK_FAILED,
      stderr: expect.stringContaining(`Refusing to sign the server's KEY_REQUEST challenge:\n  - it also binds ${name}, which this signature is not for`),
    });
  });
});
