import { EXIT } from '../../src/cli/exit-codes';
import { generateKeyPair } from '../../src/cli/signature-key';
import { signingStandIn, type SigningStandIn } from './support/signing-home';
import { keyRequestAnswer } from './support/key-request-answer';

jest.setTimeout(60_000);

const APPROVER = { orgId: 'org-1', agentId: 'alice' };
const ERRORS = 5000;

/**
 * What the built CLI reads or shows without a bound: the verification code `keys approve` reads
 * from piped input (a line that never ends, from a device or a writer that goes on, was waited for
 * and held in memory whole), and a problem answer's `errors` (thousands of them, one line each).
 */
describe('input and answers longer than any the CLI needs', () => {
  let cli: SigningStandIn;
  let publicKey = '';

  beforeAll(async () => {
    publicKey = (await generateKeyPair()).publicKey;
    cli = await signingStandIn('long-input', APPROVER, (method, url) => {
      if (method === 'GET' && url === '/v1/orgs/org-1/key-requests/req-9') return [200, keyRequestAnswer('req-9', publicKey)];
      if (method === 'GET' && url === '/v1/orgs/org-1/key-requests/req-bad')
        return [400, { title: 'Bad Request', status: 400, code: 'VALIDATION_FAILED', errors: Array.from({ length: ERRORS }, (_, i) => `error number ${i + 1}`) }, { 'content-type': 'application/problem+json' }];
      return undefined;
    });
  });
  afterAll(() => cli.api.close());

  it('keys approve: a piped code line past 64 KiB, its input still open, is a usage error at once', async () => {
    const result = await cli.run(['keys', 'approve', 'req-9'], { input: '1'.repeat(256 * 1024), inputLeftOpen: true, deadlineMs: 15_000 });
    expect(result.code).toBe(EXIT.USAGE);
    expect(result.stderr).toContain('ztkeys: The input holds a line of more than 64 KiB: no answer to "Verification code read out by bob (15 digits):" is that long. Is it the right input?\n');
  });

  it('keys approve: a piped code up to the bound is read (and checked) as before', async () => {
    const result = await cli.run(['keys', 'approve', 'req-9'], { input: '123456789012345\n', deadlineMs: 15_000 });
    expect(result).toMatchObject({ code: EXIT.CHECK_FAILED, stderr: expect.stringContaining('The code read out, 123456789012345, is not the code of the key this request holds') });
  });

  it(`a problem with ${ERRORS} errors shows the first 20 and how many more`, async () => {
    const result = await cli.run(['keys', 'approve', 'req-bad'], { deadlineMs: 15_000 });
    expect(result.code).toBe(EXIT.REFUSED);
    const lines = result.stderr.split('\n').filter((line) => line.startsWith('  - '));
    expect(lines).toEqual(Array.from({ length: 20 }, (_, i) => `  - error number ${i + 1}`));
    expect(result.stderr).toContain(`\n  … ${ERRORS - 20} more\n`);
  });
});
