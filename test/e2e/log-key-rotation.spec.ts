import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { runCli } from '../../src/cli/run-cli';
import { checkpointOrigin, openCheckpoint, parseCheckpoint } from '../../src/transparency/checkpoint';
import { CHECKPOINT_SIGNED } from '../../src/transparency/log-checkpointer';
import { verifyConsistency } from '../../src/transparency/merkle-tree';
import { parseNote, parseVerifierKey, signerFromSeed, signerKeyText, verifierKeyText } from '../../src/transparency/signed-note';
import { memoryIo } from '../cli/support/memory-io';
import { waitFor } from '../notifications/support/wait-for';
import { call, Journey, type TestAgent } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { exportLines, signedExport } from './signed-export';

type Line = { type: string; data: { size: number; note: string } };

/**
 * Rotating the log key (README: rotating the log key): the operator restarts with a new
 * LOG_SIGNING_KEY and lists the old verifier key in LOG_PREVIOUS_KEYS. The server's own check of
 * the log stays ready, proofs still answer, new checkpoints carry the new key, old ones still
 * open with the old one, and `audit verify` accepts the export given both keys.
 */
describe('log key rotation', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-rotation-'));
  const env = { DATA_DIR: dataDir, LOG_CHECKPOINT_DELAY_MS: '50', LOG_SELF_CHECK_INTERVAL_MS: '100' };
  const next = signerFromSeed('keys.example.com/audit-log-2027', Buffer.alloc(32, 27));
  let server: TestServer;
  let admin: TestAgent;
  let oldVkey: string;

  const exported = async (): Promise<Line[]> => (await exportLines(server, admin)) as Line[];
  const checkpoints = (lines: Line[]) => lines.filter((line) => line.type === CHECKPOINT_SIGNED);
  /** The export once its last line is a checkpoint of every event. */
  const signedAll = async (): Promise<Line[]> => (await signedExport(server, admin)) as Line[];
  const ready = async () => (await call(server, 'GET', '/health/ready')).status;
  const restart = async (extra: Record<string, string>) => {
    await server.close();
    server = await startTestServer({ ...env, ...extra });
  };

  beforeAll(async () => {
    server = await startTestServer(env);
    const journey = new Journey(server);
    admin = await journey.createOrg('alice');
    await journey.addAgent(admin, 'bob');
    await signedAll();
    oldVkey = (await call<string>(server, 'GET', '/v1/log-key')).body.trim();
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('without the earlier key listed, the self-check refuses the old checkpoints (what LOG_PREVIOUS_KEYS is for)', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error');
    await restart({ LOG_SIGNING_KEY: signerKeyText(next) });
    const reason = await waitFor('readiness to fail on the old checkpoints', async () => {
      const reply = await call(server, 'GET', '/health/ready');
      return reply.status === 503 && (reply.body.checks?.auditLog?.message as string);
    });
    expect(reason).toMatch(/^the stored log of 1 org does not match its signed checkpoints/);
    expect(errors).toHaveBeenCalledWith(
      expect.stringMatching(new RegExp(`^audit log tampered: org ${admin.orgId}, index \\d+: checkpoint 0 \\(position \\d+\\) does not verify under the log key: no signature by a known key`)),
    );
    errors.mockRestore();
  });

  it('with it, stays ready; new checkpoints carry the new key, old ones open with the old key; proofs span the rotation; verify takes both keys', async () => {
    await restart({ LOG_SIGNING_KEY: signerKeyText(next), LOG_PREVIOUS_KEYS: oldVkey });
    expect((await call<string>(server, 'GET', '/v1/log-key')).body.trim()).toBe(verifierKeyText(next));
    const before = await exported();
    const lastOld = checkpoints(before).at(-1)!.data.note;
    await new Journey(server).addAgent(admin, 'carol');
    const lines = await signedAll();
    await new Promise((resolve) => setTimeout(resolve, 500)); // several self-checks over the rotated log
    expect(await ready()).toBe(200);
    expect((await call<string>(server, 'GET', '/metrics')).body).toMatch(/^ztkeys_audit_log_tampering_detected_total 0$/m);

    const [oldKey, newKey] = [parseVerifierKey(oldVkey), parseVerifierKey(verifierKeyText(next))];
    const notes = checkpoints(lines).map((line) => line.data.note);
    const newNotes = notes.slice(checkpoints(before).length);
    expect(newNotes.length).toBeGreaterThan(0);
    for (const note of notes.slice(0, checkpoints(before).length)) {
      expect(openCheckpoint(note, oldKey, checkpointOrigin(oldKey.name, admin.orgId)).size).toBeGreaterThan(0);
      expect(() => openCheckpoint(note, newKey, checkpointOrigin(newKey.name, admin.orgId))).toThrow(/no signature by a known key/);
    }
    for (const note of newNotes) {
      expect(openCheckpoint(note, newKey, checkpointOrigin(newKey.name, admin.orgId)).size).toBe(lines.length - notes.length);
      expect(() => openCheckpoint(note, oldKey, checkpointOrigin(oldKey.name, admin.orgId))).toThrow(/no signature by a known key/);
    }

    // The latest checkpoint (new key) and a consistency proof from the last one of the old key.
    const [from, to] = [lastOld, newNotes.at(-1)!].map((note) => parseCheckpoint(parseNote(note).text));
    expect((await call<string>(server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/checkpoint`, admin.token)).body).toBe(newNotes.at(-1));
    const proof = await call(server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/consistency?from=${from.size}&to=${to.size}`, admin.token);
    expect(proof.status).toBe(200);
    expect(verifyConsistency(from.size, to.size, from.rootHash, to.rootHash, (proof.body.proof as string[]).map((hash) => Buffer.from(hash, 'base64')))).toBe(true);

    const work = mkdtempSync(join(tmpdir(), 'ztkeys-rotation-files-'));
    try {
      const file = join(work, 'audit.ndjson');
      writeFileSync(file, lines.map((line) => JSON.stringify(line)).join('\n'));
      const trusted = join(work, 'old.checkpoint');
      writeFileSync(trusted, lastOld);
      const keys = join(work, 'log-keys.txt');
      writeFileSync(keys, `${oldVkey}\n${verifierKeyText(next)}\n`);
      const verify = async (...argv: string[]) => {
        const io = memoryIo({ ZTKEYS_HOME: work });
        return { code: await runCli(['audit', 'verify', file, ...argv], io), stdout: io.stdout.text, stderr: io.stderr.text };
      };
      expect(await verify('--log-key', keys, '--trusted-checkpoint', trusted)).toMatchObject({ code: EXIT.OK, stderr: '' });
      expect((await verify('--log-key', `${oldVkey},${verifierKeyText(next)}`)).code).toBe(EXIT.OK);
      const onlyNew = await verify('--log-key', verifierKeyText(next));
      expect(onlyNew.code).toBe(EXIT.TAMPERED);
      expect(onlyNew.stderr).toMatch(/does not open with the log key: no signature by a known key/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
