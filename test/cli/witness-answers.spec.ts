import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { ProfileStore } from '../../src/cli/profile-store';
import { runCli } from '../../src/cli/run-cli';
import { checkpointOrigin, signCheckpoint, timestampLine } from '../../src/transparency/checkpoint';
import { signerFromSeed, verifierKeyText } from '../../src/transparency/signed-note';
import { memoryIo } from './support/memory-io';

/**
 * The CLI witness fed by a server that answers the consistency proof with anything: whatever the
 * answer, the witness refuses it (exit 7, as a log that does not extend what it saw) and keeps its
 * checkpoint, never an internal error; served an older checkpoint again, it keeps the newer one.
 * A plain HTTP listener plays the server.
 */
describe('the witness against a server that answers what it likes', () => {
  const signer = signerFromSeed('witness.test/audit-log', Buffer.alloc(32, 3));
  const vkey = verifierKeyText(signer);
  const orgId = 'org-1';
  const note = (size: number, at = new Date('2026-12-01T00:00:00Z')) =>
    signCheckpoint({ origin: checkpointOrigin(signer.name, orgId), size, rootHash: Buffer.alloc(32, size), extensions: [timestampLine(at)] }, signer);
  const saved = note(5);
  let latest = note(13);
  let server: Server;
  let home: string;
  let consistency: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'ztkeys-witness-answers-'));
    server = createServer((request, response) => {
      const text = request.url!.includes('/consistency') ? consistency : latest;
      // Each with the content type API v1 declares for it: the CLI checks that much of every answer.
      const contentType = request.url!.includes('/consistency') ? 'application/json' : request.url!.endsWith('/export') ? 'application/x-ndjson' : 'text/plain';
      response.writeHead(200, { 'content-type': contentType });
      response.end(text);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const profiles = new ProfileStore(home);
    profiles.save('default', { apiUrl, token: 'token-1', orgId, agentId: 'alice' });
    profiles.recordCheckpoint(apiUrl, orgId, { vkey, note: saved });
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(home, { recursive: true, force: true });
  });

  it.each([
    ['null', 'null'],
    ['no object', '"proof"'],
    ['other sizes', JSON.stringify({ from: 4, to: 13, proof: [] })],
    ['sizes as text', JSON.stringify({ from: '5', to: '13', proof: [] })],
    ['no proof', JSON.stringify({ from: 5, to: 13, proof: null })],
    ['numbers for hashes', JSON.stringify({ from: 5, to: 13, proof: [1, 2] })],
    ['null for a hash', JSON.stringify({ from: 5, to: 13, proof: [null] })],
    ['an object for a hash', JSON.stringify({ from: 5, to: 13, proof: [{}] })],
    ['hashes of 3 bytes', JSON.stringify({ from: 5, to: 13, proof: ['AAAA', 'AAAA'] })],
  ])('refuses %s with exit 7 and keeps its checkpoint', async (_case, answer) => {
    consistency = answer;
    const io = memoryIo({ ZTKEYS_HOME: home });
    expect(await runCli(['audit', 'export'], io)).toBe(EXIT.FORKED);
    expect(io.stderr.text).toMatch(/^ztkeys: REFUSED: the server's answer is no consistency proof of 5\.\.13 /);
    expect(new ProfileStore(home).lastCheckpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, orgId)?.note).toBe(saved);
  });

  it('on first contact, a log key or checkpoint that does not open is a failed check (exit 5), not a rewritten history, and nothing is saved', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'ztkeys-witness-first-'));
    try {
      const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      new ProfileStore(fresh).save('default', { apiUrl, token: 'token-1', orgId, agentId: 'alice' });
      // This server answers its checkpoint note to GET /v1/log-key too: no verifier key.
      const io = memoryIo({ ZTKEYS_HOME: fresh });
      expect(await runCli(['audit', 'export'], io)).toBe(EXIT.CHECK_FAILED);
      expect(io.stderr.text).toMatch(/^ztkeys: REFUSED: the server's checkpoint or proof is malformed: .*This CLI has witnessed no checkpoint of this org before/);
      expect(io.stderr.text).not.toContain('rewrote');
      expect(new ProfileStore(fresh).lastCheckpoint(apiUrl, orgId)).toBeUndefined();
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('refuses a checkpoint padded with signature lines of keys no one knows past any note\'s length, and keeps nothing of it (it was saved whole, 61 MB)', async () => {
    const padded = `${note(13)}${Array.from({ length: 75 }, (_, i) => `\u2014 padding${i} ${Buffer.alloc(1024, i).toString('base64')}\n`).join('')}`;
    latest = padded;
    consistency = JSON.stringify({ from: 5, to: 13, proof: [] });
    const io = memoryIo({ ZTKEYS_HOME: home });
    expect(await runCli(['audit', 'export'], io)).toBe(EXIT.FORKED);
    expect(io.stderr.text).toMatch(/REFUSED: the server's checkpoint or proof is malformed: a note is at most 65536 characters long, this one \d+\./);
    expect(new ProfileStore(home).lastCheckpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, orgId)?.note).toBe(saved);
  });

  it('keeps the checkpoint it saw when the server serves one of that size signed earlier, and says so (the export, no export of it here, then refused)', async () => {
    latest = note(5, new Date('2026-11-30T00:00:00Z'));
    const io = memoryIo({ ZTKEYS_HOME: home });
    // This server's export is its checkpoint note: not the 5 events the kept checkpoint signs.
    expect(await runCli(['audit', 'export'], io)).toBe(EXIT.FORKED);
    expect(io.stderr.text).toContain('the server\'s checkpoint of size 5 was signed before the one of size 5 this CLI saw; it keeps the newer one.');
    expect(io.stderr.text).toContain('REFUSED: the export does not extend the checkpoint of size 5 this CLI witnessed: line 1 is no export record: the line is not JSON.');
    expect(new ProfileStore(home).lastCheckpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, orgId)?.note).toBe(saved);
  });
});
