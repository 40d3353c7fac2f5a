import { EXIT } from '../../src/cli/exit-codes';
import { generateKeyPair } from '../../src/cli/signature-key';
import { verificationCode } from '../../src/crypto/verification-code';
import { issuedChallenge, signingStandIn, type SigningStandIn } from './support/signing-home';
import { keyRequestAnswer } from './support/key-request-answer';

jest.setTimeout(60_000);

const APPROVER = { orgId: 'org-1', agentId: 'alice' };

/**
 * R5 against a server that swaps the key (taken over, or a man in the middle on plain HTTP): it shows
 * bob's request with a key of its own, fingerprint and code consistent with that key, and would take
 * any code. Bob reads out the code of his real key. The KEY_DECISION statement binds the key, not the
 * code typed, so a signature made for it approves the server's key, one audit verify accepts: the
 * built CLI must compare the code read out with the one it computed for the key shown, and sign
 * nothing when they differ.
 */
describe('keys approve of a request whose key is not the one the requester read the code of', () => {
  let cli: SigningStandIn;
  const requests: string[] = [];
  let substituted = '';
  let bobsCode = '';

  beforeAll(async () => {
    substituted = (await generateKeyPair()).publicKey;
    bobsCode = verificationCode('org-1', 'bob', (await generateKeyPair()).publicKey);
    const view = () => keyRequestAnswer('req-9', substituted);
    cli = await signingStandIn(
      'substituted-key',
      APPROVER,
      (method, url, body) => {
        if (method === 'GET' && url === '/v1/orgs/org-1/key-requests/req-9') return [200, view()];
        if (method === 'POST' && url === '/v1/orgs/org-1/challenges') return [201, issuedChallenge(body, APPROVER, { requesterPublicKey: substituted })];
        // Whatever code came with it: the signature is what the server wanted.
        if (method === 'POST' && url === '/v1/orgs/org-1/key-requests/req-9/approve') return [200, { ...view(), status: 'APPROVED', approvals: ['alice'], position: '8' }];
        return undefined;
      },
      requests,
    );
  });
  afterAll(() => cli.api.close());

  it('signs nothing and sends nothing when the code read out is not the shown key\'s (exit 5)', async () => {
    const result = await cli.run(['keys', 'approve', 'req-9', '--code', bobsCode]);
    expect(requests).toEqual(['GET /v1/orgs/org-1/key-requests/req-9']);
    expect(result.code).toBe(EXIT.CHECK_FAILED);
    expect(result.stderr).toContain(`ztkeys: The code read out, ${bobsCode}, is not the code of the key this request holds (${verificationCode('org-1', 'bob', substituted)}): nothing was signed or sent.`);
  });

  it('with the shown key\'s own code, approves (the server\'s check of the code is the server\'s)', async () => {
    requests.length = 0;
    const result = await cli.run(['keys', 'approve', 'req-9', '--code', verificationCode('org-1', 'bob', substituted)]);
    expect(result).toMatchObject({ code: EXIT.OK, stdout: expect.stringContaining("Approved: bob's key") });
    expect(requests).toEqual(['GET /v1/orgs/org-1/key-requests/req-9', 'POST /v1/orgs/org-1/challenges', 'POST /v1/orgs/org-1/key-requests/req-9/approve']);
  });
});
