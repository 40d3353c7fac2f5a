import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { ProfileStore } from '../../src/cli/profile-store';
import { parseCheckpoint } from '../../src/transparency/checkpoint';
import { parseCosignerKey, verifyCosignatures } from '../../src/transparency/cosignature';
import { LOG_KEY_FILE } from '../../src/transparency/log-key';
import { openNote, parseNote, signerFromSeed, signerKeyText, verifierKeyText } from '../../src/transparency/signed-note';
import { runInHome } from '../cli/support/run-in-home';
import { freePort } from '../notifications/support/redis-process';
import { waitFor } from '../notifications/support/wait-for';
import { call, Journey, type TestAgent } from '../support/api-client';
import { WitnessProcess } from '../witness/support/witness-process';
import { carolRenamed, operatedServer, rewriteLog } from './operated-server';
import { signedLog } from './signed-export';

jest.setTimeout(240_000);

const sizeOf = (note: string): number => parseCheckpoint(parseNote(note).text).size;
const logSigner = signerFromSeed('ztkeys.test/audit-log', Buffer.alloc(32, 5));

/**
 * The server pushes its checkpoints to a shared witness (`npm run witness`, its own process) and
 * serves them with the witness's cosignature; an auditor requiring that witness (`--witness-key`)
 * refuses a checkpoint without it. The operator's split view (two DATA_DIRs, one forked and signed
 * anew, the same size) no longer works: the witness cosigned the first history it saw, refuses the
 * fork, and the auditor served the fork is refused its checkpoint.
 */
describe('the shared witness, with the built server and a witness process', () => {
  const dataDirs = [mkdtempSync(join(tmpdir(), 'ztkeys-shared-a-')), mkdtempSync(join(tmpdir(), 'ztkeys-shared-b-'))];
  const witnessDir = mkdtempSync(join(tmpdir(), 'ztkeys-shared-witness-'));
  const homes = [mkdtempSync(join(tmpdir(), 'ztkeys-shared-home-a-')), mkdtempSync(join(tmpdir(), 'ztkeys-shared-home-b-'))];
  const work = mkdtempSync(join(tmpdir(), 'ztkeys-shared-files-'));
  const servers = dataDirs.map(operatedServer);
  let witness: WitnessProcess;
  let witnessPort: string;
  let witnessKey: string;
  let env: Record<string, string>;
  let admin: TestAgent;

  const startWitness = async () => {
    witness = WitnessProcess.spawn({ WITNESS_DATA_DIR: witnessDir, WITNESS_PORT: witnessPort, WITNESS_LOG_KEYS: verifierKeyText(logSigner), WITNESS_KEY_NAME: 'witness.test/w1' });
    return witness.listening();
  };
  const checkpointOf = async (index: number) => (await call<string>(servers[index].server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/checkpoint`, admin.token)).body;
  const cosignatures = (note: string) => verifyCosignatures(note, [parseCosignerKey(witnessKey)]).length;
  /** The server's checkpoint once it carries the witness's cosignature (the first read may find the node store a step behind: no proof yet). */
  const cosignedCheckpoint = (index: number) => waitFor('a cosigned checkpoint', async () => {
    const note = await checkpointOf(index);
    return cosignatures(note) === 1 && note;
  }, 20_000);
  const submissions = async (index: number, outcome: string) =>
    Number(new RegExp(`ztkeys_witness_submissions_total\\{witness="witness.test/w1",outcome="${outcome}"\\} (\\d+)`).exec((await call<string>(servers[index].server, 'GET', '/metrics')).body)?.[1] ?? 0);

  beforeAll(async () => {
    // The log key is the operator's, known before the witness starts: the witness is told it.
    writeFileSync(join(dataDirs[0], LOG_KEY_FILE), `${signerKeyText(logSigner)}\n`, { mode: 0o600 });
    witnessPort = String(await freePort());
    ({ vkey: witnessKey } = await startWitness());
    env = { WITNESSES: `http://127.0.0.1:${witnessPort} ${witnessKey}`, WITNESS_QUORUM: '1', WITNESS_TIMEOUT_MS: '1000' };
    await servers[0].start(env);
    const journey = new Journey(servers[0].server);
    admin = await journey.createOrg('alice');
    await journey.addAgent(admin, 'bob');
    await journey.addAgent(admin, 'carol');
  });
  afterAll(async () => {
    servers.forEach(({ dispose }) => dispose());
    await witness.stop();
    for (const dir of [...dataDirs, witnessDir, ...homes, work]) rmSync(dir, { recursive: true, force: true });
  });

  it('serves the checkpoint with the cosignature of the witness, which existing readers ignore; and again as the log grows', async () => {
    await signedLog(servers[0].server, admin);
    const note = await cosignedCheckpoint(0);
    expect(openNote(note, [logSigner]).verifiedBy).toEqual([logSigner]);

    await new Journey(servers[0].server).addAgent(admin, 'dave');
    await signedLog(servers[0].server, admin);
    const grown = await cosignedCheckpoint(0);
    expect(sizeOf(grown)).toBe(sizeOf(note) + 1);
    // The witness held the smaller size: it cosigned the larger one only with the consistency proof from it.
    // Its log line may be read from its stdout a moment after the server has the cosignature.
    const cosignedGrown = expect.objectContaining({ origin: expect.stringMatching(new RegExp(`/${admin.orgId}$`)), result: 'cosigned', size: sizeOf(grown) });
    const logged = () => witness.lines().some((line) => line.result === 'cosigned' && line.size === sizeOf(grown) && String(line.origin).endsWith(`/${admin.orgId}`));
    for (const deadline = Date.now() + 5000; !logged() && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(witness.lines()).toContainEqual(cosignedGrown);
  });

  it('a witness down blocks nothing: the checkpoint is served without its cosignature, the metric counts it; cosigned again once it is back', async () => {
    await witness.stop();
    await new Journey(servers[0].server).addAgent(admin, 'erin');
    const started = Date.now();
    const { note } = await signedLog(servers[0].server, admin);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(cosignatures(note)).toBe(0);
    expect(await submissions(0, 'unreachable')).toBeGreaterThan(0);
    expect((await call<string>(servers[0].server, 'GET', '/metrics')).body).toMatch(/ztkeys_witness_checkpoints_below_quorum_total [1-9]/);

    await startWitness();
    // Not asked again for 10 s after a failure, then cosigned.
    expect(sizeOf(await cosignedCheckpoint(0))).toBe(sizeOf(note));
  });

  it('a split view: the witness refuses the fork, and the auditor served it, requiring the witness, is refused (exit 7)', async () => {
    const honest = await checkpointOf(0);
    await servers[0].stop();
    cpSync(dataDirs[0], dataDirs[1], { recursive: true });
    await rewriteLog(dataDirs[1], admin.orgId, carolRenamed);
    await servers[0].start(env);
    await servers[1].start(env);
    await signedLog(servers[1].server, admin);
    // The forked server submits its checkpoint; the witness, holding the honest one of that size, refuses it.
    await waitFor('the witness to refuse the fork', async () => (await checkpointOf(1), (await submissions(1, 'refused')) > 0), 20_000);
    // Its log line comes over stdout, which may arrive after the refusal is seen: waited for, 5 s at most.
    for (let waited = 0; waited < 5000 && !witness.lines().some((line) => line.level === 50 && line.result === 'forked'); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(witness.lines()).toContainEqual(expect.objectContaining({ level: 50, origin: expect.stringMatching(new RegExp(`/${admin.orgId}$`)), result: 'forked', size: sizeOf(honest) }));
    const forked = await checkpointOf(1);
    expect(sizeOf(forked)).toBe(sizeOf(honest));
    expect(parseNote(forked).text).not.toBe(parseNote(honest).text);
    // Served, since a witness never blocks the log, but without the witness's cosignature.
    expect(cosignatures(forked)).toBe(0);
    expect(await submissions(1, 'unreachable')).toBe(0);

    // The honest server, restarted, gets its checkpoint (the one the witness holds) cosigned again.
    expect(parseNote(await cosignedCheckpoint(0)).text).toBe(parseNote(honest).text);
    const vkey = verifierKeyText(logSigner);
    const results = [];
    for (const [auditor, { server }] of servers.entries()) {
      new ProfileStore(homes[auditor]).save('default', { apiUrl: server.url, token: admin.token, orgId: admin.orgId, agentId: admin.agentId });
      results.push(await runInHome(homes[auditor], ['audit', 'export', '--witness-key', witnessKey]));
    }
    expect(results[0].code).toBe(EXIT.OK);
    expect(results[1].code).toBe(EXIT.FORKED);
    expect(results[1].stderr).toContain('cosigned by 0 of the 1 required witness(es), fewer than the quorum of 1');
    // Without the requirement, the auditor served the fork accepts it, as before: only the witness tells.
    expect((await runInHome(homes[1], ['audit', 'export'])).code).toBe(EXIT.OK);

    // Offline: the checkpoint each auditor kept from the server, required to carry the witness's cosignature.
    for (const [auditor, note] of [honest, forked].entries()) {
      const file = join(work, `auditor-${auditor}.ndjson`);
      writeFileSync(file, (await runInHome(homes[auditor], ['audit', 'export'])).stdout);
      const checkpoint = join(work, `auditor-${auditor}.checkpoint`);
      writeFileSync(checkpoint, note);
      const verified = await runInHome(homes[auditor], ['audit', 'verify', file, '--log-key', vkey, '--trusted-checkpoint', checkpoint, '--witness-key', witnessKey]);
      expect({ auditor, code: verified.code }).toEqual({ auditor, code: auditor === 0 ? EXIT.OK : EXIT.FORKED });
    }
  });
});
