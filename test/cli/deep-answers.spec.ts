import { EXIT } from '../../src/cli/exit-codes';
import { CLI_BUILT, runProcess } from './support/cli-process';
import { standInApi, type StandInApi } from './support/stand-in-api';

jest.setTimeout(60_000);

/** 5,000 arrays one in another: 10 KB, nested far deeper than any answer of API v1. */
const DEEP = `${'['.repeat(5000)}${']'.repeat(5000)}`;

/**
 * A server (taken over, or a man in the middle on plain HTTP) answering JSON nested thousands of
 * levels deep, where the CLI then writes it back (a problem's `errors`, a list item's member the
 * OpenAPI document does not name): the built CLI crashed, exit 1 and a stack (`RangeError: Maximum
 * call stack size exceeded` in JSON.stringify), even with --json. It is an unreadable answer, exit 4,
 * said as every error is (found from outside by the CLI audit).
 */
describe('answers nested deeper than any answer of API v1', () => {
  let api: StandInApi;
  let variant: 'problem' | 'item' = 'problem';

  beforeAll(async () => {
    api = await standInApi('deep-answers', (_request, response) => {
      if (variant === 'item') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(`{"agents":[{"x":${DEEP},"agentId":"alice"}],"totals":{}}`);
        return;
      }
      response.writeHead(400, { 'content-type': 'application/problem+json' });
      response.end(`{"type":"about:blank","title":"Bad Request","status":400,"errors":[${DEEP}]}`);
    });
  });
  afterAll(() => api.close());

  const run = (args: string[]) => runProcess(CLI_BUILT, args, { env: { PATH: process.env.PATH, ZTKEYS_HOME: api.home } });

  it.each([['a problem\'s errors', 'problem'], ['a list item\'s member', 'item']] as const)('refuses one in %s: exit 4, saying so, --json as {"error"}', async (_case, nested) => {
    variant = nested;
    const shown = await run(['status']);
    expect(shown).toMatchObject({ code: EXIT.SERVER, stderr: "ztkeys: The server's answer is not what API v1 answers: it nests arrays or objects more than 64 deep.\n" });
    const json = await run(['status', '--json']);
    expect(json.code).toBe(EXIT.SERVER);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { exitCode: EXIT.SERVER, message: "The server's answer is not what API v1 answers: it nests arrays or objects more than 64 deep." } });
  });
});
