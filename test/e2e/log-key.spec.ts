import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_KEY_FILE } from '../../src/transparency/log-key';
import { openNote, parseSignerKey, parseVerifierKey, signNote } from '../../src/transparency/signed-note';
import { call } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/test-server';

describe('log verifier key', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('is served as text without a token, and verifies what the key in DATA_DIR signs', async () => {
    const reply = await call(server, 'GET', '/v1/log-key');
    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^text\/plain/);
    const verifier = parseVerifierKey(reply.body as string);
    const file = join(server.dataDir, LOG_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const signer = parseSignerKey(readFileSync(file, 'utf8'));
    expect(openNote(signNote('checkpoint\n', [signer]), [verifier]).verifiedBy).toEqual([verifier]);
  });
});
