import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { ProfileStore } from '../../src/cli/profile-store';
import { parseCheckpoint } from '../../src/transparency/checkpoint';
import { CHECKPOINT_SIGNED } from '../../src/transparency/log-checkpointer';
import { parseNote } from '../../src/transparency/signed-note';
import { runInHome } from '../cli/support/run-in-home';
import { waitFor } from '../notifications/support/wait-for';
import { call, Journey, type TestAgent } from '../support/api-client';
import { carolRenamed, operatedServer, rewriteLog } from './operated-server';
import { exportLines, signedLog } from './signed-export';

jest.setTimeout(240_000);

const sizeOf = (note: string): number => parseCheckpoint(parseNote(note).text).size;

/**
 * The CLI's witness against the built server in its own process (R16, issue 11 item 5): the CLI
 * keeps the checkpoint it saw; an honest extension moves it on; then the operator, holding the
 * log key, rewrites an old event in the SQLite file and signs every checkpoint anew so that the
 * server's own check finds nothing, and restarts. The next `audit` command refuses with exit 7,
 * and `audit verify --trusted-checkpoint` refuses the forked export with exit 7 too.
 */
describe('the CLI witness against a server that rewrote its history', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-witness-'));
  const home = mkdtempSync(join(tmpdir(), 'ztkeys-witness-home-'));
  const { server, start, stop, dispose } = operatedServer(dataDir);
  let admin: TestAgent;

  const ztkeys = (...argv: string[]) => runInHome(home, argv);
  const saved = () => new ProfileStore(home).lastCheckpoint(server.url, admin.orgId);
  /** The org's checkpoint once it signs every event of the org. */
  const signedAll = async () => (await signedLog(server, admin)).note;

  beforeAll(async () => {
    await start();
    const journey = new Journey(server);
    admin = await journey.createOrg('alice');
    await journey.addAgent(admin, 'bob');
    await journey.addAgent(admin, 'carol');
    new ProfileStore(home).save('default', { apiUrl: server.url, token: admin.token, orgId: admin.orgId, agentId: admin.agentId });
  });
  afterAll(() => {
    dispose();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  it('saves the checkpoint it sees, and moves it on when the log honestly grows', async () => {
    const first = await signedAll();
    const exported = await ztkeys('audit', 'export');
    expect(exported).toMatchObject({ code: EXIT.OK, stderr: '' });
    expect(saved()).toEqual({ vkey: (await call<string>(server, 'GET', '/v1/log-key')).body.trim(), note: first });

    await new Journey(server).addAgent(admin, 'dave');
    const grown = await signedAll();
    expect(sizeOf(grown)).toBe(sizeOf(first) + 1);
    expect((await ztkeys('audit', 'export')).code).toBe(EXIT.OK);
    expect(saved()?.note).toBe(grown);
  });

  it('refuses with exit 7, naming both sizes and roots, once the operator rewrote an old event and signed the forked log anew', async () => {
    const seen = saved()!.note;
    const seenRoot = parseCheckpoint(parseNote(seen).text).rootHash.toString('base64');
    await stop();

    await rewriteLog(dataDir, admin.orgId, carolRenamed);
    await start();
    const forkedHead = await signedAll();
    expect(sizeOf(forkedHead)).toBe(sizeOf(seen));
    expect(forkedHead).not.toBe(seen);

    const refused = await ztkeys('audit', 'export');
    expect(refused.code).toBe(EXIT.FORKED);
    expect(refused.stdout).toBe('');
    const forkedRoot = parseCheckpoint(parseNote(forkedHead).text).rootHash.toString('base64');
    expect(refused.stderr).toContain(
      `REFUSED: the server's log (size ${sizeOf(forkedHead)}, root ${forkedRoot}) is not an extension of the one seen earlier (size ${sizeOf(seen)}, root ${seenRoot}): its history was rewritten or forked.`,
    );
    expect(saved()?.note).toBe(seen); // the witness keeps what it saw, and refuses again next time
    expect((await ztkeys('audit', 'export')).code).toBe(EXIT.FORKED);
  });

  it('audit verify: the forked export verifies alone, but exits 7 against the checkpoint saved before the rewrite', async () => {
    const work = mkdtempSync(join(tmpdir(), 'ztkeys-witness-files-'));
    try {
      const forked = join(work, 'forked.ndjson');
      writeFileSync(forked, String((await call(server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/export`, admin.token)).body));
      const trusted = join(work, 'saved.checkpoint');
      writeFileSync(trusted, saved()!.note);
      const vkey = saved()!.vkey;
      expect((await ztkeys('audit', 'verify', forked, '--log-key', vkey)).code).toBe(EXIT.OK);
      const refused = await ztkeys('audit', 'verify', forked, '--log-key', vkey, '--trusted-checkpoint', trusted);
      expect(refused.code).toBe(EXIT.FORKED);
      expect(refused.stderr).toMatch(/is FORKED: it does not extend the trusted checkpoint\. First problem at line \d+ .*not an extension of the trusted checkpoint: at size \d+ its root is \S+, the saved checkpoint says \S+ \(history was rewritten\)/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

/**
 * The checkpoint an auditor keeps offline (`audit verify --save-checkpoint`, the console's) never
 * goes back: the operator drops the org's checkpoints after an early size from the log and stops
 * signing, so the export's last checkpoint is older than the one the auditor saved, while its events
 * still hold that one's prefix. Saving that last checkpoint would let the operator rewrite what lies
 * between the two and have the rewrite verify against what was saved.
 */
describe('the checkpoint kept by audit verify, against an export whose later checkpoints were dropped', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-keep-'));
  const home = mkdtempSync(join(tmpdir(), 'ztkeys-keep-home-'));
  const work = mkdtempSync(join(tmpdir(), 'ztkeys-keep-files-'));
  const { server, start, stop, dispose } = operatedServer(dataDir);
  let admin: TestAgent;
  let vkey: string;

  const ztkeys = (...argv: string[]) => runInHome(home, argv);
  /** The org's export as an auditor downloads it (curl, the console), into `name`. */
  const exported = async (name: string) => {
    writeFileSync(join(work, name), String((await call(server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/export`, admin.token)).body));
    return join(work, name);
  };

  beforeAll(async () => {
    await start();
    admin = await new Journey(server).createOrg('alice');
    vkey = (await call<string>(server, 'GET', '/v1/log-key')).body.trim();
  });
  afterAll(() => {
    dispose();
    for (const dir of [dataDir, home, work]) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the trusted checkpoint, so a rewrite of what it covered is still refused with exit 7', async () => {
    const early = sizeOf((await signedLog(server, admin)).note);
    const journey = new Journey(server);
    await journey.addAgent(admin, 'bob');
    await journey.addAgent(admin, 'carol');
    const seen = (await signedLog(server, admin)).note;
    const november = join(work, 'november.checkpoint');
    expect((await ztkeys('audit', 'verify', await exported('november.ndjson'), '--log-key', vkey, '--save-checkpoint', november)).code).toBe(EXIT.OK);
    expect(readFileSync(november, 'utf8')).toBe(seen);

    // The operator drops every checkpoint after the early one and restarts signing nothing.
    await stop();
    await rewriteLog(dataDir, admin.orgId, (db, events) => {
      for (const event of events.filter((candidate) => candidate.type === CHECKPOINT_SIGNED && (candidate.data as { size: number }).size > early)) {
        db.prepare('DELETE FROM events WHERE position = ?').run(event.position);
      }
    });
    await start({ LOG_CHECKPOINTS: 'off' });
    // The read models are rebuilt from the log after the start: the export is read once they hold every event.
    await waitFor('the read models rebuilt', async () => (await exportLines(server, admin)).filter((line) => line.type !== CHECKPOINT_SIGNED).length >= sizeOf(seen));
    const december = join(work, 'december.checkpoint');
    const cut = await ztkeys('audit', 'verify', await exported('december.ndjson'), '--log-key', vkey, '--trusted-checkpoint', november, '--save-checkpoint', december);
    // Every event of it signed by the trusted checkpoint (the file extends it): verified, that checkpoint kept.
    expect(cut.code).toBe(EXIT.OK);
    expect(readFileSync(december, 'utf8')).toBe(seen);

    // Then rewrites carol's addition, which only the dropped checkpoints covered, and signs again.
    await stop();
    await rewriteLog(dataDir, admin.orgId, carolRenamed);
    await start();
    const forked = await signedLog(server, admin, (leaves) => leaves.length >= sizeOf(seen));
    expect(forked.note).not.toBe(seen);
    const refused = await ztkeys('audit', 'verify', await exported('january.ndjson'), '--log-key', vkey, '--trusted-checkpoint', december);
    expect(refused.code).toBe(EXIT.FORKED);
  });
});

/**
 * Signed times after the auditor saw them: the operator signs every checkpoint of the org anew a
 * day earlier, so that an event added after the checkpoint the auditor saved reads as signed
 * before it. The events are untouched, so the roots still extend the saved checkpoint.
 */
describe('audit verify --trusted-checkpoint, against checkpoints signed anew at earlier times', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-backdated-'));
  const home = mkdtempSync(join(tmpdir(), 'ztkeys-backdated-home-'));
  const work = mkdtempSync(join(tmpdir(), 'ztkeys-backdated-files-'));
  const { server, start, stop, dispose } = operatedServer(dataDir);
  afterAll(() => {
    dispose();
    for (const dir of [dataDir, home, work]) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses with exit 7 a larger checkpoint timestamped before the trusted one', async () => {
    await start();
    const admin = await new Journey(server).createOrg('alice');
    const vkey = (await call<string>(server, 'GET', '/v1/log-key')).body.trim();
    const exported = async (name: string) => {
      writeFileSync(join(work, name), String((await call(server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/export`, admin.token)).body));
      return join(work, name);
    };
    const seen = (await signedLog(server, admin)).note;
    const saved = join(work, 'saved.checkpoint');
    expect((await runInHome(home, ['audit', 'verify', await exported('before.ndjson'), '--log-key', vkey, '--save-checkpoint', saved])).code).toBe(EXIT.OK);
    await new Journey(server).addAgent(admin, 'bob');
    await signedLog(server, admin, (leaves) => leaves.length > sizeOf(seen));

    await stop();
    await rewriteLog(dataDir, admin.orgId, () => undefined, (at) => new Date(at.getTime() - 86_400_000));
    await start();
    await signedLog(server, admin, (leaves) => leaves.length > sizeOf(seen));
    const backdated = await exported('backdated.ndjson');
    expect((await runInHome(home, ['audit', 'verify', backdated, '--log-key', vkey])).code).toBe(EXIT.OK);
    const refused = await runInHome(home, ['audit', 'verify', backdated, '--log-key', vkey, '--trusted-checkpoint', saved]);
    expect(refused.code).toBe(EXIT.FORKED);
    expect(refused.stderr).toMatch(/the checkpoint of size \d+ is timestamped \S+, before the trusted checkpoint of size \d+ \(\S+\): its signed times go back/);
  });
});

/**
 * A split view: the operator copies the stopped server's DATA_DIR, rewrites carol's addition in
 * the copy and signs it anew, and serves each auditor one of the two forks, of the same size. Each
 * auditor's witness sees a log that extends what it saw, so neither is alerted alone; comparing
 * the checkpoints they kept (README: comparing two auditors' checkpoints) shows the fork, either way round.
 */
describe('two auditors served two forks of the same size', () => {
  const dataDirs = [mkdtempSync(join(tmpdir(), 'ztkeys-fork-a-')), mkdtempSync(join(tmpdir(), 'ztkeys-fork-b-'))];
  const homes = [mkdtempSync(join(tmpdir(), 'ztkeys-fork-home-a-')), mkdtempSync(join(tmpdir(), 'ztkeys-fork-home-b-'))];
  const work = mkdtempSync(join(tmpdir(), 'ztkeys-fork-files-'));
  const servers = dataDirs.map(operatedServer);
  afterAll(() => {
    servers.forEach(({ dispose }) => dispose());
    for (const dir of [...dataDirs, ...homes, work]) rmSync(dir, { recursive: true, force: true });
  });

  it('each witness accepts its fork; verify --trusted-checkpoint with the other auditor\'s checkpoint exits 7', async () => {
    const [first, second] = servers;
    await first.start();
    const journey = new Journey(first.server);
    const admin = await journey.createOrg('alice');
    await journey.addAgent(admin, 'bob');
    await journey.addAgent(admin, 'carol');
    await signedLog(first.server, admin);
    const vkey = (await call<string>(first.server, 'GET', '/v1/log-key')).body.trim();
    await first.stop();
    cpSync(dataDirs[0], dataDirs[1], { recursive: true });
    await rewriteLog(dataDirs[1], admin.orgId, carolRenamed);
    await first.start();
    await second.start();
    await signedLog(second.server, admin); // its read models rebuilt from the forked log

    const kept = [];
    for (const [auditor, { server }] of servers.entries()) {
      new ProfileStore(homes[auditor]).save('default', { apiUrl: server.url, token: admin.token, orgId: admin.orgId, agentId: admin.agentId });
      const exported = await runInHome(homes[auditor], ['audit', 'export']);
      expect(exported.code).toBe(EXIT.OK);
      const file = join(work, `auditor-${auditor}.ndjson`);
      writeFileSync(file, exported.stdout);
      const checkpoint = join(work, `auditor-${auditor}.checkpoint`);
      expect((await runInHome(homes[auditor], ['audit', 'verify', file, '--log-key', vkey, '--save-checkpoint', checkpoint])).code).toBe(EXIT.OK);
      kept.push({ file, checkpoint });
    }
    expect(sizeOf(readFileSync(kept[0].checkpoint, 'utf8'))).toBe(sizeOf(readFileSync(kept[1].checkpoint, 'utf8')));
    for (const [mine, theirs] of [[kept[0], kept[1]], [kept[1], kept[0]]]) {
      const compared = await runInHome(homes[0], ['audit', 'verify', mine.file, '--log-key', vkey, '--trusted-checkpoint', theirs.checkpoint]);
      expect(compared.code).toBe(EXIT.FORKED);
      expect(compared.stderr).toContain('not an extension of the trusted checkpoint');
    }
  });
});

/**
 * A checkpoint with no timestamp line, which the server's own check does not look at: once a
 * witness kept one, no later checkpoint could be ordered by its time, so a back-dated one would pass.
 */
describe('the CLI witness against a checkpoint signed with no timestamp line', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-untimed-'));
  const home = mkdtempSync(join(tmpdir(), 'ztkeys-untimed-home-'));
  const { server, start, stop, dispose } = operatedServer(dataDir);
  afterAll(() => {
    dispose();
    for (const dir of [dataDir, home]) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses it with exit 7 and keeps the checkpoint it saw', async () => {
    await start();
    const admin = await new Journey(server).createOrg('alice');
    new ProfileStore(home).save('default', { apiUrl: server.url, token: admin.token, orgId: admin.orgId, agentId: admin.agentId });
    const seen = (await signedLog(server, admin)).note;
    expect((await runInHome(home, ['audit', 'export'])).code).toBe(EXIT.OK);
    await new Journey(server).addAgent(admin, 'bob');
    await signedLog(server, admin, (leaves) => leaves.length > sizeOf(seen));

    await stop();
    // The tree unchanged: the node store kept serves its proofs to a server that runs no follower (checkpoints off).
    await rewriteLog(dataDir, admin.orgId, () => undefined, () => undefined, { keepNodes: true });
    await start({ LOG_CHECKPOINTS: 'off' });
    // The read models are rebuilt from the log after the start: the checkpoint is read once they hold the latest.
    const untimed = await waitFor('the read models rebuilt', async () => {
      const reply = await call<string>(server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/checkpoint`, admin.token);
      return reply.status === 200 && sizeOf(reply.body) > sizeOf(seen) && reply.body;
    });
    expect(parseNote(untimed).text).not.toContain('timestamp');
    const refused = await runInHome(home, ['audit', 'export']);
    expect(refused.code).toBe(EXIT.FORKED);
    expect(refused.stderr).toContain(`the server's checkpoint of size ${sizeOf(untimed)} has no timestamp line holding a time: the log timestamps every checkpoint it signs`);
    expect(new ProfileStore(home).lastCheckpoint(server.url, admin.orgId)?.note).toBe(seen);
  });
});
