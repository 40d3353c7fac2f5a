import { MAX_ANSWER_BYTES } from '../../src/cli/api-client';
import { EXIT } from '../../src/cli/exit-codes';
import { runCli } from '../../src/cli/run-cli';
import { memoryIo } from './support/memory-io';
import { standInApi, type StandInApi } from './support/stand-in-api';

const CHUNK = Buffer.alloc(1024 * 1024, 0x20);

/**
 * Whatever answers at the API's address cannot make the CLI hold an answer of any size: it reads
 * up to MAX_ANSWER_BYTES, then gives up with exit 4 and drops the connection. A plain HTTP
 * listener plays a server whose answer never ends, or says it is larger than that.
 */
describe('an answer larger than the CLI reads', () => {
  let api: StandInApi;
  let home: string;
  let declared: boolean;
  let sent = 0;
  let closed: Promise<void>;

  beforeAll(async () => {
    api = await standInApi('answer-size', (_request, response) => {
      sent = 0;
      closed = new Promise((resolve) => response.on('close', resolve));
      if (declared) {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(MAX_ANSWER_BYTES + 1) });
        response.write('{"agents": [');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"agents": "');
      const more = (): void => {
        while (!response.destroyed && response.write(CHUNK)) sent += CHUNK.length;
        if (!response.destroyed) response.once('drain', more);
      };
      more();
    });
    home = api.home;
  });
  afterAll(() => api.close());

  it.each([
    ['that never ends', false],
    ['whose Content-Length is larger', true],
  ])('gives up on an answer %s: exit 4, the connection dropped', async (_case, larger) => {
    declared = larger;
    const io = memoryIo({ ZTKEYS_HOME: home });
    expect(await runCli(['status'], io)).toBe(EXIT.SERVER);
    expect(io.stderr.text).toMatch(/is larger than 64 MiB: not read further\./);
    await closed;
    // What was written before the CLI let go: the bound, and what the sockets held.
    expect(sent).toBeLessThan(MAX_ANSWER_BYTES + 16 * CHUNK.length);
  });
});
