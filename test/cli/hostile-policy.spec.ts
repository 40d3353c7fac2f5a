import canonicalize from 'canonicalize';
import { randomUUID } from 'node:crypto';
import { EXIT } from '../../src/cli/exit-codes';
import { sealKey } from '../../src/cli/key-file';
import { KeyStore } from '../../src/cli/key-store';
import { generateKeyPair } from '../../src/cli/signature-key';
import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import { CLI_BUILT, runProcess } from './support/cli-process';
import { standInApi, type StandInApi } from './support/stand-in-api';

jest.setTimeout(60_000);

const PASSPHRASE = 'correct horse battery staple';
const OWNER = { orgId: 'org-1', agentId: 'alice' };

/**
 * `policy set` signs the whole new policy: the fields given, the others as the server's read of the
 * policy answered them. A server (taken over, or a man in the middle on plain HTTP) that adds a
 * member of its own to that read, and binds it in the ORG_POLICY statement, must not get a
 * signature over a field the SUPER_ADMIN was never shown (the "New policy" lines list the known ones).
 */
describe('policy set against a server that adds a member to the policy it answers', () => {
  let api: StandInApi;
  const requests: string[] = [];

  beforeAll(async () => {
    api = await standInApi(
      'policy',
      (request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        request.on('end', () => {
          requests.push(`${request.method} ${request.url}`);
          const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
            response.writeHead(status, { 'content-type': 'application/json', ...headers });
            response.end(JSON.stringify(value));
          };
          if (request.method === 'GET' && request.url === '/v1/orgs/org-1/policy') return json(200, { ...DEFAULT_ORG_POLICY, taskApprovals: 0 }, { etag: '"3"' });
          if (request.method === 'POST' && request.url === '/v1/orgs/org-1/challenges') {
            const now = Date.now();
            // The statement binds what was asked, and the member the server added to its read.
            const statement = canonicalize({
              ...(JSON.parse(body) as object),
              taskApprovals: 0,
              ...OWNER,
              nonce: randomUUID(),
              issuedAt: new Date(now).toISOString(),
              expiresAt: new Date(now + 300_000).toISOString(),
            })!;
            return json(201, { challengeId: 'ch-1', statement, expiresAt: new Date(now + 300_000).toISOString() });
          }
          if (request.method === 'PUT' && request.url === '/v1/orgs/org-1/policy') return json(200, { changed: true, policy: JSON.parse(body).policy, position: 7 });
          response.writeHead(404, { 'content-type': 'application/problem+json' });
          response.end(JSON.stringify({ title: 'Not Found', status: 404, detail: 'stand-in' }));
        });
      },
      OWNER,
    );
    const key = await generateKeyPair();
    const store = new KeyStore(api.home, OWNER);
    store.save(await sealKey(key, OWNER, PASSPHRASE, new Date().toISOString()));
    store.recordRequest(key.fingerprint, 'req-1', 'APPROVED');
  });
  afterAll(() => api.close());

  it('signs nothing that binds the member it was not shown, and sends no policy (exit 5)', async () => {
    const result = await runProcess(CLI_BUILT, ['policy', 'set', '--admin-approvals', '2'], {
      env: { PATH: process.env.PATH, ZTKEYS_HOME: api.home, ZTKEYS_PASSPHRASE: PASSPHRASE },
    });
    expect(requests).toEqual(['GET /v1/orgs/org-1/policy', 'POST /v1/orgs/org-1/challenges']);
    expect(result).toMatchObject({
      code: EXIT.CHECK_FAILED,
      stderr: expect.stringContaining("Refusing to sign the server's ORG_POLICY challenge:\n  - it also binds taskApprovals, which this signature is not for"),
    });
    expect(result.stdout).not.toContain('taskApprovals');
  });
});
