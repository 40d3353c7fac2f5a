import { EXIT } from '../../src/cli/exit-codes';
import { CLI_BUILT, runProcess } from './support/cli-process';
import { standInApi, type StandInApi } from './support/stand-in-api';
import { statusAnswer } from './support/status-answer';

jest.setTimeout(60_000);

/**
 * A server (taken over, or a man in the middle) whose list pages never end: each answers a
 * nextCursor. The built CLI must neither follow it for ever, nor hold every page until memory runs
 * out, nor show what it read as the whole list.
 */
describe('list pages that never end', () => {
  let api: StandInApi;
  /** The next cursor a page answers, from the one asked with; and how long each agent's name is. */
  let nextCursor: (cursor: string | null) => string;
  let nameBytes: number;
  let pages = 0;

  beforeAll(async () => {
    api = await standInApi('pages', (request, response) => {
      request.resume();
      request.on('end', () => {
        pages++;
        const cursor = new URL(request.url!, 'http://stand-in').searchParams.get('cursor');
        const page = { ...statusAnswer([{ agentId: `agent-${pages}`, displayName: 'n'.repeat(nameBytes), role: 'MEMBER', keyStatus: 'NONE' }]), nextCursor: nextCursor(cursor) };
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(page));
      });
    });
  });
  afterAll(() => api.close());
  beforeEach(() => {
    pages = 0;
  });

  const status = () => runProcess(CLI_BUILT, ['status'], { env: { PATH: process.env.PATH, ZTKEYS_HOME: api.home } });

  it('stops at a cursor answered before, a loop (exit 4), and shows nothing', async () => {
    nextCursor = () => 'same';
    nameBytes = 10;
    const result = await status();
    expect(result).toMatchObject({ code: EXIT.SERVER, stdout: '', stderr: expect.stringContaining('a cursor it answered before ("same"): its pages would never end') });
    expect(pages).toBe(2);
  });

  it('stops once the pages together pass the most the CLI reads of one answer (exit 4), and shows nothing', async () => {
    nextCursor = (cursor) => String(Number(cursor ?? 0) + 1);
    nameBytes = 4 * 1024 * 1024;
    const result = await status();
    expect(result).toMatchObject({ code: EXIT.SERVER, stdout: '', stderr: expect.stringContaining('its pages together are larger than 64 MiB: not read further') });
    expect(pages).toBeLessThanOrEqual(17);
  });
});
