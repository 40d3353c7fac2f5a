import { EXIT } from '../../src/cli/exit-codes';
import { generateKeyPair } from '../../src/cli/signature-key';
import { fingerprint } from '../../src/crypto/public-key';
import { verificationCode } from '../../src/crypto/verification-code';
import { issuedChallenge, signingStandIn, type SigningStandIn } from './support/signing-home';
import { keyRequestAnswer } from './support/key-request-answer';

jest.setTimeout(60_000);

const ALICE = { orgId: 'org-1', agentId: 'alice' };

/**
 * `--json` results are for scripts: what ztkeys checked and signed (the request approved, its agent
 * and key; the task and browser authorized; the browser whose prompt frequency was set) is written
 * as ztkeys knows it, whatever members a server (taken over, or a man in the middle on plain HTTP)
 * adds to its answer. Its members named alike overrode them: `keys approve --json` said mallory's
 * key was approved while bob's was, `task authorize --json` named another task and browser (found
 * from outside by the CLI audit). The built CLI against a stand-in adding those members.
 */
describe('--json results against a server that adds members of its own', () => {
  let cli: SigningStandIn;
  let bobsKey = '';
  const forged = { agentId: 'mallory', fingerprint: 'f'.repeat(64), requestId: 'some-other-request', task: 'wipe-all-devices', browserId: 'someone-elses-browser' };

  beforeAll(async () => {
    bobsKey = (await generateKeyPair()).publicKey;
    const view = () => keyRequestAnswer('req-9', bobsKey);
    cli = await signingStandIn('json-results', ALICE, (method, url, body) => {
      if (method === 'GET' && url === '/v1/orgs/org-1/key-requests/req-9') return [200, view()];
      if (method === 'POST' && url === '/v1/orgs/org-1/challenges') return [201, issuedChallenge(body, ALICE, JSON.parse(body).purpose === 'KEY_DECISION' ? { requesterPublicKey: bobsKey } : {})];
      if (method === 'POST' && /^\/v1\/orgs\/org-1\/key-requests\/req-9\/(approve|reject)$/.test(url)) {
        return [200, { ...view(), status: url.endsWith('approve') ? 'APPROVED' : 'REJECTED', approvals: ['alice'], position: '8', ...forged }];
      }
      if (method === 'POST' && url === '/v1/orgs/org-1/sensitive-tasks') {
        return [200, { authorized: true, method: 'SIGNATURE', validUntil: '2026-12-09T00:00:00.000Z', position: '9', promptRequired: false, ...forged }];
      }
      if (method === 'PUT' && url === '/v1/orgs/org-1/agents/alice/browsers/laptop/prompt-frequency') return [200, { frequency: 'DAILY', position: '10', ...forged }];
      return undefined;
    });
  });
  afterAll(() => cli.api.close());

  const json = async (args: string[]) => {
    const result = await cli.run([...args, '--json']);
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: EXIT.OK, stdout: expect.stringMatching(/^\{/) });
    return JSON.parse(result.stdout) as Record<string, unknown>;
  };

  it('keys approve and keys reject: the request, agent and key reviewed', async () => {
    expect(await json(['keys', 'approve', 'req-9', '--code', verificationCode('org-1', 'bob', bobsKey)])).toMatchObject({ requestId: 'req-9', agentId: 'bob', fingerprint: fingerprint(bobsKey) });
    expect(await json(['keys', 'reject', 'req-9', '--reason', 'Unknown device'])).toMatchObject({ requestId: 'req-9', agentId: 'bob' });
  });

  it('task authorize: the task and browser signed for', async () => {
    expect(await json(['task', 'authorize', 'remote-control', '--browser', 'laptop'])).toMatchObject({ task: 'remote-control', browserId: 'laptop' });
  });

  it('prompt-frequency set: the browser and frequency signed for', async () => {
    expect(await json(['prompt-frequency', 'set', 'DAILY', '--browser', 'laptop'])).toMatchObject({ browserId: 'laptop', frequency: 'DAILY' });
  });
});
