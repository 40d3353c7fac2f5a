import { join } from 'node:path';
import { answerBounds } from '../../src/cli/answer-bounds';
import { EXIT } from '../../src/cli/exit-codes';
import { CLI_BUILT, runProcess } from './support/cli-process';
import { standInApi, type StandInApi } from './support/stand-in-api';

/** The bound given here (ZTKEYS_TIMEOUT_SECONDS): the default minute, dripped through, is the same code waiting longer. */
const ANSWER_WITHIN_S = 4;

/**
 * Whatever answers at the API's address cannot hold the CLI longer than its timeout by answering
 * slowly: a head at once, then a byte of body every 200 ms, for ever. The built CLI runs as its own
 * process (run npm run build first), collecting garbage often: a signal composed of others was
 * once collected while fetch still read the body, and the CLI waited for ever.
 */
describe('an answer that drips', () => {
  let api: StandInApi;
  let asked = 0;

  beforeAll(async () => {
    api = await standInApi('slow-answers', (_request, response) => {
      asked++;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"agents": [');
      const drip = setInterval(() => (response.destroyed ? clearInterval(drip) : response.write(' ')), 200);
    });
  });
  afterAll(() => api.close());

  it('is given up once its timeout has passed, body and all: exit 4 saying no answer came in time and which bound it was', async () => {
    const started = Date.now();
    const command = [CLI_BUILT[0], '--expose-gc', '--require', join(__dirname, 'support/collect-garbage-often.js'), ...CLI_BUILT.slice(1)];
    // Interrupted (Ctrl-C) if it still waits well past its timeout, so that the test ends either way.
    const tooLong = new Promise((resolve) => setTimeout(resolve, (ANSWER_WITHIN_S + 20) * 1000).unref());
    const env = { PATH: process.env.PATH, ZTKEYS_HOME: api.home, ZTKEYS_TIMEOUT_SECONDS: String(ANSWER_WITHIN_S) };
    const run = await runProcess(command, ['status'], { env, interrupt: tooLong, deadlineMs: (ANSWER_WITHIN_S + 30) * 1000 });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: EXIT.SERVER, stderr: expect.stringMatching(/no answer in time \(4 s, ZTKEYS_TIMEOUT_SECONDS\)/) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(ANSWER_WITHIN_S * 1000);
    expect(Date.now() - started).toBeLessThan((ANSWER_WITHIN_S + 15) * 1000);
  });

  it('refuses a timeout that is no positive number of seconds (exit 2), before asking the server anything', async () => {
    const before = asked;
    for (const given of ['0', '-1', '1e3', 'soon', '86401']) {
      const run = await runProcess(CLI_BUILT, ['status'], { env: { PATH: process.env.PATH, ZTKEYS_HOME: api.home, ZTKEYS_TIMEOUT_SECONDS: given } });
      expect({ given, code: run.code, stderr: run.stderr }).toEqual({ given, code: EXIT.USAGE, stderr: expect.stringMatching(`ZTKEYS_TIMEOUT_SECONDS must be a number of seconds above 0 and at most 86400, not "${given}"`) });
    }
    expect(asked).toBe(before);
  });

  it('waits a minute for an answer by default, and for a byte of an export', () => {
    expect(answerBounds({})).toEqual({ answerMs: 60_000, exportIdleMs: 60_000 });
    expect(answerBounds({ ZTKEYS_TIMEOUT_SECONDS: '', ZTKEYS_EXPORT_IDLE_SECONDS: '2.5' })).toEqual({ answerMs: 60_000, exportIdleMs: 2_500 });
  });
});
