import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { CLI_BUILT, runProcess } from './support/cli-process';
import { standInApi, type StandInApi } from './support/stand-in-api';

/** The CLI's bound on one answer (api-client.ts, REQUEST_TIMEOUT_MS). */
const ANSWER_WITHIN_MS = 60_000;

/**
 * Whatever answers at the API's address cannot hold the CLI longer than its timeout by answering
 * slowly: a head at once, then a byte of body a second, for ever. The built CLI runs as its own
 * process (run npm run build first), collecting garbage often, as a process does that waits a minute.
 */
describe('an answer that drips', () => {
  let api: StandInApi;

  beforeAll(async () => {
    api = await standInApi('slow-answers', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"agents": [');
      const drip = setInterval(() => (response.destroyed ? clearInterval(drip) : response.write(' ')), 1000);
    });
  });
  afterAll(() => api.close());

  it('is given up once its timeout has passed, body and all: exit 4 saying no answer came in time', async () => {
    const started = Date.now();
    const command = [CLI_BUILT[0], '--expose-gc', '--require', join(__dirname, 'support/collect-garbage-often.js'), ...CLI_BUILT.slice(1)];
    // Interrupted (Ctrl-C) if it still waits well past its timeout, so that the test ends either way.
    const tooLong = new Promise((resolve) => setTimeout(resolve, ANSWER_WITHIN_MS + 20_000).unref());
    const run = await runProcess(command, ['status'], { env: { PATH: process.env.PATH, ZTKEYS_HOME: api.home }, interrupt: tooLong, deadlineMs: ANSWER_WITHIN_MS + 30_000 });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: EXIT.SERVER, stderr: expect.stringMatching(/no answer in time/) });
    expect(Date.now() - started).toBeLessThan(ANSWER_WITHIN_MS + 15_000);
  }, ANSWER_WITHIN_MS + 40_000);
});
