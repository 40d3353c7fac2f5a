import { EXIT } from '../../src/cli/exit-codes';
import { CLI_BUILT, runProcess } from './support/cli-process';
import { standInApi, type StandInApi } from './support/stand-in-api';

jest.setTimeout(60_000);

/**
 * A script's variable left empty (`ztkeys keys approve "$REQUEST"` when jq found no request) names
 * no request, agent or browser: the built CLI refuses it (exit 2) before asking the server anything,
 * where it sent the request to the collection's path and passed on the server's 404 naming a URL.
 */
describe('an argument given empty', () => {
  let api: StandInApi;
  const requests: string[] = [];

  beforeAll(async () => {
    api = await standInApi('empty-arguments', (request, response) => {
      requests.push(`${request.method} ${request.url}`);
      response.writeHead(404, { 'content-type': 'application/problem+json' });
      response.end(JSON.stringify({ title: 'Not Found', status: 404, detail: `Nothing answers ${request.method} "${request.url}".`, code: 'NOT_FOUND' }));
    });
  });
  afterAll(() => api.close());
  beforeEach(() => {
    requests.length = 0;
  });

  it.each([
    [['keys', 'approve', '', '--code', '111-222-333-444-555'], 'requestId'],
    [['keys', 'reject', ' ', '--reason', 'no'], 'requestId'],
    [['keys', 'revoke', '', '--reason', 'left'], 'agentId'],
    [['agents', 'remove', ''], 'agentId'],
    [['agents', 'role', '', 'ADMIN'], 'agentId'],
  ])('%j is a usage error naming the argument, and nothing is sent', async (args, name) => {
    const result = await runProcess(CLI_BUILT, args, { env: { PATH: process.env.PATH, ZTKEYS_HOME: api.home } });
    expect(result).toMatchObject({ code: EXIT.USAGE, stdout: '' });
    expect(result.stderr.split('\n')[0]).toBe(`ztkeys: <${name}> is empty.`);
    expect(requests).toEqual([]);
  });
});
