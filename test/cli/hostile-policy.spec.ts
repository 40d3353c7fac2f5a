import { EXIT } from '../../src/cli/exit-codes';
import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import { issuedChallenge, signingStandIn, type SigningStandIn } from './support/signing-home';

jest.setTimeout(60_000);

const OWNER = { orgId: 'org-1', agentId: 'alice' };

/**
 * `policy set` signs the whole new policy: the fields given, the others as the server's read of the
 * policy answered them. A server (taken over, or a man in the middle on plain HTTP) that adds a
 * member of its own to that read, and binds it in the ORG_POLICY statement, must not get a
 * signature over a field the SUPER_ADMIN was never shown (the "New policy" lines list the known ones).
 */
describe('policy set against a server that adds a member to the policy it answers', () => {
  let cli: SigningStandIn;
  const requests: string[] = [];

  beforeAll(async () => {
    cli = await signingStandIn(
      'policy',
      OWNER,
      (method, url, body) => {
        if (method === 'GET' && url === '/v1/orgs/org-1/policy') return [200, { ...DEFAULT_ORG_POLICY, taskApprovals: 0 }, { etag: '"3"' }];
        // The statement binds what was asked, and the member the server added to its read.
        if (method === 'POST' && url === '/v1/orgs/org-1/challenges') return [201, issuedChallenge(body, OWNER, { taskApprovals: 0 })];
        if (method === 'PUT' && url === '/v1/orgs/org-1/policy') return [200, { changed: true, policy: (JSON.parse(body) as { policy: unknown }).policy, position: 7 }];
        return undefined;
      },
      requests,
    );
  });
  afterAll(() => cli.api.close());

  it('signs nothing that binds the member it was not shown, and sends no policy (exit 5)', async () => {
    const result = await cli.run(['policy', 'set', '--admin-approvals', '2']);
    expect(requests).toEqual(['GET /v1/orgs/org-1/policy', 'POST /v1/orgs/org-1/challenges']);
    expect(result).toMatchObject({
      code: EXIT.CHECK_FAILED,
      stderr: expect.stringContaining("Refusing to sign the server's ORG_POLICY challenge:\n  - it also binds taskApprovals, which this signature is not for"),
    });
    expect(result.stdout).not.toContain('taskApprovals');
  });
});
