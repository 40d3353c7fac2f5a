import Database from 'better-sqlite3';
import { get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signCheckpoint } from '../../src/transparency/checkpoint';
import { cosignerFromSeed, cosignerKeyText, cosignerSignerKeyText, parseCosignerKey, verifyCosignatures } from '../../src/transparency/cosignature';
import type { Hash } from '../../src/transparency/merkle-tree';
import { openNote, signerFromSeed, verifierKeyText, type NoteSigner } from '../../src/transparency/signed-note';
import { outputWithin, runWithin } from '../support/run-within';
import { signedHistory } from '../transparency/support/signed-history';
import { WITNESS_MAIN, WitnessProcess } from './support/witness-process';

const logKey = signerFromSeed('ztkeys.test/audit-log', Buffer.alloc(32, 7));
const origin = `${logKey.name}/org-1`;

/** A log of `leaves` (a fork is the same log with other leaves), by default this witness's log of org-1. */
const history = (leaves: string[], signer: NoteSigner = logKey, of = origin) => signedHistory(leaves, signer, of);

const body = (old: number, proof: Hash[], note: string): string => `old ${old}\n${proof.map((hash) => `${hash.toString('base64')}\n`).join('')}\n${note}`;

/** A series of the witness's /metrics: add-checkpoint answers of one result. */
async function addCheckpointCount(url: string, result: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^ztkeys_witness_add_checkpoint_total\\{result="${result}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
}

/** An answer in a line: a 200 as such, a 409 with its size, a problem by its code. */
const said = ({ status, type, text }: { status: number; type: string | null; text: string }): string =>
  status === 200 ? '200' : type === 'application/problem+json' ? `${status} ${(JSON.parse(text) as { code: string }).code}` : `${status} ${text.trim()}`;

/** What `npm run witness -- forks` prints of a witness's folder: one JSON object a line, the evidence it kept. */
/**
 * A witness in `folder` cosigns a checkpoint and stops; `lose` takes part of the folder (its WAL
 * files gone, as after a clean stop); it starts again: its exit code (or its answer to a fork of
 * that checkpoint, had it started), its stderr and its fatal lines.
 */
async function restartAfterLoss(folder: string, lose: () => void): Promise<{ started: unknown; stderr: string; fatal: unknown[] }> {
  const env = { WITNESS_DATA_DIR: folder, WITNESS_LOG_KEYS: verifierKeyText(logKey) };
  const honest = history(['a', 'b', 'c']);
  const forked = history(['a', 'X', 'c']);
  const first = WitnessProcess.spawn(env);
  const cosigned = await post((await first.listening()).url, body(0, [], honest.note(3)));
  await first.stop();
  expect(cosigned.status).toBe(200);
  for (const name of readdirSync(folder).filter((file) => file.startsWith('witness.sqlite-'))) rmSync(join(folder, name));
  lose();
  const again = WitnessProcess.spawn(env);
  const started = await Promise.race([again.exitCodeWithin(15_000), again.listening().then(async ({ url: at }) => said(await post(at, body(0, [], forked.note(3)))))]);
  await again.stop();
  return { started, stderr: again.stderr, fatal: again.lines().filter((line) => line.level >= 50) };
}

const kept = (folder: string): unknown[] =>
  outputWithin([process.execPath, WITNESS_MAIN, 'forks'], { env: { PATH: process.env.PATH, WITNESS_DATA_DIR: folder }, encoding: 'utf8' }, 20_000)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);

/** The witness's log lines of a code, once `count` of them came (its stdout may arrive after its HTTP answers: waited for, 5 s at most). */
async function linesOf(witness: WitnessProcess, code: string, count: number) {
  for (let waited = 0; waited < 5000 && witness.lines().filter((line) => line.code === code).length < count; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  return witness.lines().filter((line) => line.code === code);
}

async function post(url: string, text: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${url}/add-checkpoint`, { method: 'POST', body: text });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

/** One request written byte for byte on a fresh connection: for what fetch cannot send. Status 0 when nothing came back; the body's JSON without its chunk framing. */
function rawRequest(url: string, bytes: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    let text = '';
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const [head, ...rest] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), type: /\r\ncontent-type: *([^\r]*)/i.exec(head)?.[1] ?? '', body: /\{.*\}/s.exec(rest.join('\r\n\r\n'))?.[0] ?? '' });
    };
    const timer = setTimeout(finish, 3000);
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('end', finish);
    socket.on('error', finish);
    // Closed after the answer, so that it is read whole without waiting.
    socket.write(Buffer.from(bytes.replace('\r\n', '\r\nConnection: close\r\n'), 'latin1'));
  });
}

/** `run` on a witness of its own, in a folder of its own, witnessing logKey with `env` beside; both gone after. */
async function ownWitness(name: string, env: Record<string, string>, run: (witness: WitnessProcess, folder: string) => Promise<void>): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), `ztkeys-witness-${name}-`));
  const witness = WitnessProcess.spawn({ WITNESS_DATA_DIR: folder, WITNESS_LOG_KEYS: verifierKeyText(logKey), ...env });
  try {
    await run(witness, folder);
  } finally {
    await witness.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

describe('npm run witness (C2SP tlog-witness add-checkpoint, built, a real process)', () => {
  const honest = history(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  const forked = history(['a', 'X', 'c', 'd', 'e', 'f', 'g', 'h']);
  let dataDir: string;
  let witness: WitnessProcess;
  let url: string;
  let vkey: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-witness-'));
    witness = WitnessProcess.spawn({ WITNESS_DATA_DIR: dataDir, WITNESS_LOG_KEYS: verifierKeyText(logKey), WITNESS_KEY_NAME: 'witness.test/w1' });
    ({ url, vkey } = await witness.listening());
  });
  afterAll(async () => {
    await witness.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('generates its key at first start and prints its verifier key, also with `npm run witness -- key`', () => {
    expect(witness.lines()).toContainEqual(expect.objectContaining({ level: 30, name: 'witness', msg: `generated its key in ${join(dataDir, 'witness-signing-key')}` }));
    expect(parseCosignerKey(vkey).name).toBe('witness.test/w1');
    const printed = outputWithin([process.execPath, WITNESS_MAIN, 'key'], { env: { PATH: process.env.PATH, WITNESS_DATA_DIR: dataDir }, encoding: 'utf8' }, 20_000);
    expect(printed).toBe(`${vkey}\n`);
  });

  it.each([
    ['no WITNESS_LOG_KEYS', {}, 'witness cannot start: WITNESS_LOG_KEYS names no log'],
    ['a WITNESS_LOG_KEYS that is no verifier key', { WITNESS_LOG_KEYS: 'not-a-key' }, 'witness cannot start: WITNESS_LOG_KEYS holds a key that is not a log verifier key'],
    ['a WITNESS_SIGNING_KEY that is no witness key', { WITNESS_LOG_KEYS: verifierKeyText(logKey), WITNESS_SIGNING_KEY: 'PRIVATE+KEY+x' }, 'witness cannot start: WITNESS_SIGNING_KEY is not a witness signer key'],
  ])('refuses to start with %s: exit 1, one fatal JSON line', async (_, env, message) => {
    const folder = mkdtempSync(join(tmpdir(), 'ztkeys-witness-refused-'));
    const refused = WitnessProcess.spawn({ WITNESS_DATA_DIR: folder, ...env });
    expect(await refused.exitCodeWithin(15_000)).toBe(1);
    rmSync(folder, { recursive: true, force: true });
    expect(refused.lines()).toEqual([expect.objectContaining({ level: 60, name: 'witness', msg: expect.stringContaining(message) })]);
  });

  it.each([
    ['a WITNESS_HOST that is no address of this machine', { WITNESS_HOST: 'not a host' }, 'witness cannot start: WITNESS_HOST not a host is not an address of this machine'],
    ['a WITNESS_DATA_DIR below a file', { WITNESS_DATA_DIR: join(__dirname, 'witness-service.spec.ts', 'data') }, `witness cannot start: WITNESS_DATA_DIR ${join(__dirname, 'witness-service.spec.ts', 'data')} cannot be used: it, or a folder on its path, is a file`],
  ])('refuses to start with %s: exit 1, one fatal line naming the variable, no stack', async (_, env, message) => {
    const folder = mkdtempSync(join(tmpdir(), 'ztkeys-witness-refused-'));
    const refused = WitnessProcess.spawn({ WITNESS_DATA_DIR: folder, WITNESS_LOG_KEYS: verifierKeyText(logKey), ...env });
    expect(await refused.exitCodeWithin(15_000)).toBe(1);
    rmSync(folder, { recursive: true, force: true });
    expect({ stderr: refused.stderr, fatal: refused.lines().filter((line) => line.level >= 50) }).toEqual({
      stderr: '',
      fatal: [expect.objectContaining({ level: 60, msg: expect.stringContaining(message) })],
    });
  });

  it('refuses to start on a store that is no whole SQLite database (a restore cut short): exit 1, one fatal line naming the file, no stack', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ztkeys-witness-damaged-'));
    writeFileSync(join(folder, 'witness.sqlite'), Buffer.alloc(5000, 0x5a));
    const refused = WitnessProcess.spawn({ WITNESS_DATA_DIR: folder, WITNESS_LOG_KEYS: verifierKeyText(logKey) });
    expect(await refused.exitCodeWithin(15_000)).toBe(1);
    rmSync(folder, { recursive: true, force: true });
    expect({ stderr: refused.stderr, fatal: refused.lines().filter((line) => line.level >= 50) }).toEqual({
      stderr: '',
      fatal: [expect.objectContaining({ level: 60, msg: `witness cannot start: ${join(folder, 'witness.sqlite')} is not a whole SQLite database (file is not a database): cut short or damaged, as by a copy interrupted; put back a whole copy of it (from a backup)` })],
    });
  });

  describe('two deployments whose log keys share a name (both left at the default ztkeys.local/audit-log)', () => {
    const [a, b] = [signerFromSeed('ztkeys.local/audit-log', Buffer.alloc(32, 1)), signerFromSeed('ztkeys.local/audit-log', Buffer.alloc(32, 2))];
    const ofB = 'ztkeys.local/audit-log/org-of-b';

    it.each([
      ['two keys of one name', `${verifierKeyText(a)},${verifierKeyText(b)}`, 'ztkeys.local/audit-log/{orgId} would be a log of either'],
      ['a key name that begins another\'s', `${verifierKeyText(signerFromSeed('ztkeys.local', Buffer.alloc(32, 3)))} ${verifierKeyText(a)}`, 'ztkeys.local/audit-log/{orgId} would be a log of either'],
    ])('refuse to start with %s as two logs: either could sign, and take over, the other\'s orgs (exit 1, one fatal line)', async (_, keys, message) => {
      const folder = mkdtempSync(join(tmpdir(), 'ztkeys-witness-shared-name-'));
      const refused = WitnessProcess.spawn({ WITNESS_DATA_DIR: folder, WITNESS_LOG_KEYS: keys });
      try {
        const outcome = await Promise.race([refused.exited, refused.listening().then(async ({ url: at }) => {
          // What it allowed: A's key signs a checkpoint of B's org, extending at size 4 what the witness cosigned of B.
          const honest = history(['a', 'b', 'c', 'd', 'e'], b, ofB);
          const forged = history(['a', 'b', 'c', 'd', 'x', 'y', 'z', 'w'], a, ofB);
          return [(await post(at, body(0, [], honest.note(4)))).status, (await post(at, body(4, forged.proof(4, 8), forged.note(8)))).status];
        })]);
        expect({ outcome, lines: refused.lines() }).toEqual({ outcome: 1, lines: [expect.objectContaining({ level: 60, msg: expect.stringContaining(message) })] });
      } finally {
        await refused.stop();
        rmSync(folder, { recursive: true, force: true });
      }
    });

    it('starts with one deployment\'s keys joined oldest first by ">" (its rotation under one name), and cosigns across the rotation', async () => {
      const folder = mkdtempSync(join(tmpdir(), 'ztkeys-witness-rotation-'));
      const rotated = WitnessProcess.spawn({ WITNESS_DATA_DIR: folder, WITNESS_LOG_KEYS: `${verifierKeyText(a)}>${verifierKeyText(b)}` });
      try {
        const { url: at } = await rotated.listening();
        const before = history(['a', 'b', 'c', 'd', 'e'], a, ofB);
        const after = history(['a', 'b', 'c', 'd', 'e'], b, ofB);
        expect((await post(at, body(0, [], before.note(4)))).status).toBe(200);
        expect((await post(at, body(4, after.proof(4, 5), after.note(5)))).status).toBe(200);
      } finally {
        await rotated.stop();
        rmSync(folder, { recursive: true, force: true });
      }
    });

    it('refuses a checkpoint of the retired key once its successor signed one (403 RETIRED_LOG_KEY, a warn line, nothing stored): whoever still holds it could extend the log past the new key', async () => {
      const folder = mkdtempSync(join(tmpdir(), 'ztkeys-witness-retired-'));
      const rotated = WitnessProcess.spawn({ WITNESS_DATA_DIR: folder, WITNESS_LOG_KEYS: `${verifierKeyText(a)}>${verifierKeyText(b)}` });
      try {
        const { url: at } = await rotated.listening();
        const [before, after] = [history(['a', 'b', 'c', 'd', 'e', 'f', 'g'], a, ofB), history(['a', 'b', 'c', 'd', 'e', 'f', 'g'], b, ofB)];
        expect((await post(at, body(0, [], before.note(4)))).status).toBe(200);
        expect((await post(at, body(4, after.proof(4, 5), after.note(5)))).status).toBe(200);
        const refused = await post(at, body(5, before.proof(5, 6), before.note(6)));
        expect({ status: refused.status, type: refused.type, problem: refused.text.startsWith('{') ? JSON.parse(refused.text) : refused.text }).toEqual({
          status: 403,
          type: 'application/problem+json',
          problem: expect.objectContaining({
            code: 'RETIRED_LOG_KEY',
            detail: expect.stringContaining(`signed by the retired log key ${a.name}+${a.keyId.toString(16).padStart(8, '0')} after its successor ${b.name}+${b.keyId.toString(16).padStart(8, '0')} signed`),
          }),
        });
        // Nothing stored: the witness still holds the successor's size 5, and cosigns its extension.
        expect((await post(at, body(5, after.proof(5, 7), after.note(7)))).status).toBe(200);
        expect(await linesOf(rotated, 'RETIRED_LOG_KEY', 1)).toContainEqual(expect.objectContaining({ level: 50, origin: ofB, result: 'retired_key', code: 'RETIRED_LOG_KEY' }));
        expect(await addCheckpointCount(at, 'retired_key')).toBe(1);
      } finally {
        await rotated.stop();
        rmSync(folder, { recursive: true, force: true });
      }
    });
  });

  describe('one deployment whose rotation renamed its log key (K1>K2 of two names): the org\'s checkpoints under both origins are one log, as the server\'s check and audit verify read them', () => {
    const [k1, k2] = [signerFromSeed('ztkeys.local/audit-log', Buffer.alloc(32, 1)), signerFromSeed('ztkeys.local/audit-log-2026', Buffer.alloc(32, 2))];
    const [oldOrigin, newOrigin] = [`${k1.name}/org-1`, `${k2.name}/org-1`];
    const leaves = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    let folder: string;
    let rotated: WitnessProcess;
    let at: string;
    beforeEach(async () => {
      folder = mkdtempSync(join(tmpdir(), 'ztkeys-witness-renamed-'));
      rotated = WitnessProcess.spawn({ WITNESS_DATA_DIR: folder, WITNESS_LOG_KEYS: `${verifierKeyText(k1)}>${verifierKeyText(k2)}` });
      ({ url: at } = await rotated.listening());
    });
    afterEach(async () => {
      await rotated.stop();
      rmSync(folder, { recursive: true, force: true });
    });

    it('refuses a checkpoint of the retired key under the old origin once the successor signed one under the new (403 RETIRED_LOG_KEY, an error line, result retired_key, nothing cosigned), and keeps the first one refused as evidence beside the successor\'s note', async () => {
      const [before, after] = [history(leaves, k1, oldOrigin), history(leaves, k2, newOrigin)];
      const answers = [
        await post(at, body(0, [], before.note(4))),
        // The rotation goes on from the size cosigned under the old name, with a proof across it, as the server submits it.
        await post(at, body(4, after.proof(4, 5), after.note(5))),
        // Whoever still holds K1 extends the old origin from what the witness held of it, or from the log's size.
        await post(at, body(4, before.proof(4, 6), before.note(6))),
        await post(at, body(5, before.proof(5, 7), before.note(7))),
        // Nothing stored: the successor's size 5 is still the log's.
        await post(at, body(5, after.proof(5, 7), after.note(7))),
      ];
      expect(answers.map(said)).toEqual(['200', '200', '403 RETIRED_LOG_KEY', '403 RETIRED_LOG_KEY', '200']);
      expect(JSON.parse(answers[2].text)).toMatchObject({
        detail: expect.stringContaining(`signed by the retired log key ${k1.name}+${k1.keyId.toString(16).padStart(8, '0')} after its successor ${k2.name}+${k2.keyId.toString(16).padStart(8, '0')} signed`),
      });
      expect(await linesOf(rotated, 'RETIRED_LOG_KEY', 2)).toEqual([
        expect.objectContaining({ level: 50, origin: oldOrigin, result: 'retired_key' }),
        expect.objectContaining({ level: 50, origin: oldOrigin, result: 'retired_key' }),
      ]);
      expect(await addCheckpointCount(at, 'retired_key')).toBe(2);
      // The evidence that K1 still signs: its note, and the successor's that retired it, both as the log signed them, kept once (the first refused).
      const evidence = kept(folder);
      expect(evidence).toEqual([{ origin: newOrigin, kind: 'retired_key', size: 6, cosignedNote: after.note(5), refusedNote: before.note(6), refusedAt: expect.any(String) }]);
      const [{ cosignedNote, refusedNote }] = evidence as Array<{ cosignedNote: string; refusedNote: string }>;
      expect([openNote(cosignedNote, [k2]).verifiedBy, openNote(refusedNote, [k1]).verifiedBy].map((keys) => keys.length)).toEqual([1, 1]);
    });

    it('holds the size cosigned under the old name for the new origin too: a fork of that history signed by the successor is refused as under one origin, and kept', async () => {
      const [honestBefore, honestAfter, forkedAfter] = [history(leaves, k1, oldOrigin), history(leaves, k2, newOrigin), history(['a', 'X', 'c', 'd', 'e', 'f', 'g'], k2, newOrigin)];
      const answers = [
        await post(at, body(0, [], honestBefore.note(4))),
        // The log's history under the new name, started over from nothing: not the history cosigned.
        await post(at, body(0, [], forkedAfter.note(6))),
        await post(at, body(4, [], forkedAfter.note(4))),
        await post(at, body(4, forkedAfter.proof(4, 6), forkedAfter.note(6))),
        // The honest rotation: the successor extends what was cosigned under the old name.
        await post(at, body(4, honestAfter.proof(4, 6), honestAfter.note(6))),
      ];
      expect(answers.map(said)).toEqual(['200', '409 4', '409 FORKED_CHECKPOINT', '422 INCONSISTENT_CHECKPOINT', '200']);
      expect(kept(folder)).toEqual([{ origin: oldOrigin, kind: 'forked', size: 4, cosignedNote: honestBefore.note(4), refusedNote: forkedAfter.note(4), refusedAt: expect.any(String) }]);
    });

    it('on a store of a build that held the names apart, where it cosigned K1 past K2 (size 6 under the old origin, 5 under the new), goes on from the successor\'s', async () => {
      const [before, after] = [history(leaves, k1, oldOrigin), history(leaves, k2, newOrigin)];
      const store = new Database(join(folder, 'witness.sqlite'));
      try {
        const insert = store.prepare('INSERT INTO witnessed (origin, size, root_hash, note) VALUES (?, ?, ?, ?)');
        insert.run(oldOrigin, 6, before.note(6).split('\n')[2], before.note(6));
        insert.run(newOrigin, 5, after.note(5).split('\n')[2], after.note(5));
      } finally {
        store.close();
      }
      const answers = [
        await post(at, body(6, before.proof(6, 7), before.note(7))),
        await post(at, body(0, [], after.note(7))),
        await post(at, body(5, after.proof(5, 7), after.note(7))),
      ];
      expect(answers.map(said)).toEqual(['403 RETIRED_LOG_KEY', '409 5', '200']);
    });
  });

  describe('signed times: a checkpoint is timestamped no earlier than the one cosigned before it, as audit verify and the CLI\'s witness hold', () => {
    const log = history(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    const time = (hhmm: string) => new Date(`2026-12-01T${hhmm}:00Z`);
    let folder: string;
    let timed: WitnessProcess;
    let at: string;
    beforeAll(async () => {
      folder = mkdtempSync(join(tmpdir(), 'ztkeys-witness-times-'));
      timed = WitnessProcess.spawn({ WITNESS_DATA_DIR: folder, WITNESS_LOG_KEYS: verifierKeyText(logKey) });
      ({ url: at } = await timed.listening());
    });
    afterAll(async () => {
      await timed.stop();
      rmSync(folder, { recursive: true, force: true });
    });

    it('refuses a larger checkpoint timestamped before the one it cosigned (409 BACKDATED_CHECKPOINT, an error line, result backdated, the first kept with both notes), cosigns the same tree timestamped earlier but holds on to the later, refuses a checkpoint without a time (400)', async () => {
      const answers = [
        await post(at, body(0, [], log.note(4, time('10:00')))),
        // Whoever holds the log key signs the grown log dated before the checkpoint cosigned: its signed times rewritten.
        await post(at, body(4, log.proof(4, 6), log.note(6, time('09:00')))),
        // The tree cosigned, signed earlier (a replica behind serves its older checkpoint): cosigned, not held in the later one's place.
        await post(at, body(4, [], log.note(4, time('09:30')))),
        await post(at, body(4, log.proof(4, 6), log.note(6, time('09:45')))),
        // The same time is not back.
        await post(at, body(4, log.proof(4, 6), log.note(6, time('10:00')))),
        // Without a time, no checkpoint after it could be ordered by it.
        await post(at, body(6, log.proof(6, 7), log.note(7, null))),
        await post(at, body(6, log.proof(6, 7), log.note(7, time('11:00')))),
      ];
      expect(answers.map(said)).toEqual(['200', '409 BACKDATED_CHECKPOINT', '200', '409 BACKDATED_CHECKPOINT', '200', '400 MALFORMED_CHECKPOINT', '200']);
      expect(JSON.parse(answers[1].text)).toMatchObject({
        detail: 'the checkpoint of size 6 is timestamped 2026-12-01T09:00:00.000Z, before the one of size 4 this witness cosigned (2026-12-01T10:00:00.000Z): its signed times go back',
      });
      expect(JSON.parse(answers[5].text)).toMatchObject({ detail: expect.stringContaining('no timestamp line holding a time') });
      expect(verifyCosignatures(log.note(4, time('09:30')) + answers[2].text, [parseCosignerKey((await timed.listening()).vkey)])).toHaveLength(1);
      const rootOf = (note: string) => note.split('\n')[2];
      expect(await linesOf(timed, 'BACKDATED_CHECKPOINT', 2)).toEqual([
        expect.objectContaining({ level: 50, origin, result: 'backdated', cosignedSize: 4, cosignedRoot: rootOf(log.note(4)), size: 6, refusedRoot: rootOf(log.note(6)) }),
        expect.objectContaining({ level: 50, origin, result: 'backdated', cosignedSize: 4, size: 6 }),
      ]);
      expect(await addCheckpointCount(at, 'backdated')).toBe(2);
      // Two notes signed by the log, the larger dated before the smaller: the proof, kept once (the first).
      expect(kept(folder)).toEqual([{ origin, kind: 'backdated', size: 6, cosignedNote: log.note(4, time('10:00')), refusedNote: log.note(6, time('09:00')), refusedAt: expect.any(String) }]);
    });
  });

  it("reads a checkpoint's timestamp line only in the form the log writes it (400 otherwise): read in its own zone, a witness west of UTC cosigned a checkpoint without a zone dated before the one it cosigned, which one in UTC refused", async () => {
    const log = history(['a', 'b', 'c', 'd', 'e', 'f']);
    const note = (size: number, ...timestamps: string[]) => signCheckpoint({ origin, size, rootHash: Buffer.from(log.note(size).split('\n')[2], 'base64'), extensions: timestamps.map((at) => `timestamp ${at}`) }, logKey);
    const folder = mkdtempSync(join(tmpdir(), 'ztkeys-witness-zone-'));
    const west = WitnessProcess.spawn({ WITNESS_DATA_DIR: folder, WITNESS_LOG_KEYS: verifierKeyText(logKey), TZ: 'America/New_York' });
    try {
      const { url: at } = await west.listening();
      expect(said(await post(at, body(0, [], note(4, '2026-12-01T10:00:00.000Z'))))).toBe('200');
      const answers = [
        // An hour before the one cosigned, in UTC; five hours after it in New York's time.
        await post(at, body(4, log.proof(4, 6), note(6, '2026-12-01T09:00:00.000'))),
        await post(at, body(4, log.proof(4, 6), note(6, '2026-12-01T09:00:00.000+00:00'))),
        await post(at, body(4, log.proof(4, 6), note(6, '2026-12-01T10:00:00.000999Z'))),
        // Readers taking the first and the last line would date it apart.
        await post(at, body(4, log.proof(4, 6), note(6, '2026-12-01T11:00:00.000Z', '2026-12-01T09:00:00.000Z'))),
      ];
      expect(answers.map(said)).toEqual(Array(4).fill('400 MALFORMED_CHECKPOINT'));
      expect(JSON.parse(answers[0].text)).toMatchObject({ detail: expect.stringContaining('no timestamp line holding a time') });
      expect(said(await post(at, body(4, log.proof(4, 6), note(6, '2026-12-01T11:00:00.000Z'))))).toBe('200');
    } finally {
      await west.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('`npm run witness -- forks` on a store of a build that kept forks only (table forks): lists them, of kind forked', () => {
    const folder = mkdtempSync(join(tmpdir(), 'ztkeys-witness-forks-table-'));
    try {
      const [cosigned, refused] = [history(['a', 'b']).note(2), history(['a', 'X']).note(2)];
      const store = new Database(join(folder, 'witness.sqlite'));
      store.exec('CREATE TABLE witnessed (origin TEXT PRIMARY KEY, size INTEGER NOT NULL, root_hash TEXT NOT NULL, note TEXT NOT NULL) STRICT');
      store.exec('CREATE TABLE forks (origin TEXT PRIMARY KEY, size INTEGER NOT NULL, cosigned_note TEXT NOT NULL, refused_note TEXT NOT NULL, refused_at TEXT NOT NULL) STRICT');
      store.prepare('INSERT INTO forks VALUES (?, ?, ?, ?, ?)').run(origin, 2, cosigned, refused, '2026-12-01T09:00:00.000Z');
      store.close();
      expect(kept(folder)).toEqual([{ origin, kind: 'forked', size: 2, cosignedNote: cosigned, refusedNote: refused, refusedAt: '2026-12-01T09:00:00.000Z' }]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  describe.each([
    ['forks', 'holds no witness store (witness.sqlite)'],
    ['key', 'holds no witness key (witness-signing-key)'],
  ])('`npm run witness -- %s` with a WITNESS_DATA_DIR that is not the witness\'s (a typo)', (command, holds) => {
    const run = (folder: string, env: Record<string, string> = {}) =>
      runWithin([process.execPath, WITNESS_MAIN, command], { env: { PATH: process.env.PATH, WITNESS_DATA_DIR: folder, ...env }, encoding: 'utf8' }, 20_000);
    let parent: string;
    beforeEach(() => (parent = mkdtempSync(join(tmpdir(), 'ztkeys-witness-typo-'))));
    afterEach(() => rmSync(parent, { recursive: true, force: true }));

    it('a folder that does not exist: one line on stderr, exit 1, nothing created', () => {
      const typo = join(parent, 'witnes-data');
      const result = run(typo);
      expect({ status: result.status, stdout: result.stdout, stderr: result.stderr, created: existsSync(typo) }).toEqual({
        status: 1,
        stdout: '',
        stderr: `witness ${command} failed: WITNESS_DATA_DIR ${typo} ${holds}: run it with the witness's WITNESS_DATA_DIR${command === 'key' ? ' (or WITNESS_SIGNING_KEY), once the witness has started' : ''}\n`,
        created: false,
      });
    });

    it('a folder that exists but is not the witness\'s (the server\'s DATA_DIR): the same refusal, nothing written in it', () => {
      const result = run(parent);
      expect({ status: result.status, stderr: result.stderr, files: readdirSync(parent) }).toEqual({ status: 1, stderr: expect.stringContaining(`WITNESS_DATA_DIR ${parent} ${holds}`), files: [] });
    });
  });

  it('`npm run witness -- key` with WITNESS_SIGNING_KEY prints its key without a folder, and a bad one is refused on stderr, exit 1', () => {
    const folder = join(tmpdir(), `ztkeys-witness-none-${process.pid}`);
    const signer = outputWithin([process.execPath, WITNESS_MAIN, 'key'], { env: { PATH: process.env.PATH, WITNESS_DATA_DIR: dataDir }, encoding: 'utf8' }, 20_000);
    const printed = runWithin([process.execPath, WITNESS_MAIN, 'key'], { env: { PATH: process.env.PATH, WITNESS_DATA_DIR: folder, WITNESS_SIGNING_KEY: readFileSync(join(dataDir, 'witness-signing-key'), 'utf8').trim() }, encoding: 'utf8' }, 20_000);
    expect({ status: printed.status, stdout: printed.stdout, created: existsSync(folder) }).toEqual({ status: 0, stdout: signer, created: false });
    const bad = runWithin([process.execPath, WITNESS_MAIN, 'key'], { env: { PATH: process.env.PATH, WITNESS_DATA_DIR: folder, WITNESS_SIGNING_KEY: 'PRIVATE+KEY+x' }, encoding: 'utf8' }, 20_000);
    expect({ status: bad.status, stdout: bad.stdout, stderr: bad.stderr }).toEqual({ status: 1, stdout: '', stderr: expect.stringMatching(/^witness key failed: WITNESS_SIGNING_KEY is not a witness signer key[^\n]*\n$/) });
  });

  it.each([
    ['deleted', (folder: string) => rmSync(join(folder, 'witness.sqlite'))],
    ['cut to 0 bytes', (folder: string) => writeFileSync(join(folder, 'witness.sqlite'), '')],
  ])('refuses to start with its key but its store %s (or left out of a restore): it would have forgotten what it cosigned and cosigned a fork of it', async (_, lose) => {
    const folder = mkdtempSync(join(tmpdir(), 'ztkeys-witness-forgot-'));
    try {
      expect(await restartAfterLoss(folder, () => lose(folder))).toEqual({
        started: 1,
        stderr: '',
        fatal: [
          expect.objectContaining({
            level: 60,
            msg: `witness cannot start: ${join(folder, 'witness.sqlite')} is missing or empty beside the witness's key (${join(folder, 'witness-signing-key')}): without it the witness would forget every checkpoint it cosigned, and cosign a fork of one. Put back the store from a backup; or, to start as a new witness, move the key away too and give the servers and auditors its new verifier key`,
          }),
        ],
      });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("a row of its store whose note is not the checkpoint it records (edited, damaged): add-checkpoint of that log is a 503 STORE_UNAVAILABLE naming it, nothing cosigned, where it was a 500 INTERNAL that logged nothing", async () => {
    const grown = history(['a', 'b', 'c', 'd', 'e']);
    await ownWitness('row', {}, async (first, folder) => {
      expect((await post((await first.listening()).url, body(0, [], grown.note(3)))).status).toBe(200);
      await first.stop();
      for (const [what, note] of [
        ['no note', 'garbage'],
        ['a signature line that is none', grown.note(3).replace(/ \S+\n$/, ' AAAA\n')],
        ['the note of another size', grown.note(2)],
      ]) {
        const db = new Database(join(folder, 'witness.sqlite'));
        db.prepare('UPDATE witnessed SET note = ?').run(note);
        db.close();
        const again = WitnessProcess.spawn({ WITNESS_DATA_DIR: folder, WITNESS_LOG_KEYS: verifierKeyText(logKey) });
        try {
          const answer = await post((await again.listening()).url, body(3, grown.proof(3, 5), grown.note(5)));
          expect({ what, status: answer.status, problem: JSON.parse(answer.text) as unknown }).toEqual({
            what,
            status: 503,
            problem: expect.objectContaining({
              code: 'STORE_UNAVAILABLE',
              detail: `the witness's store (witness.sqlite) is unavailable: it holds a checkpoint of ${origin} (size 3) whose note is not that checkpoint's: damaged or altered since it was stored, so what the witness cosigned of that log cannot be read; put back a whole copy of it from a backup. Try again shortly.`,
            }),
          });
        } finally {
          await again.stop();
        }
      }
    });
  });

  it("quotes an origin as the server quotes client text, its first 64 characters: one it does not know, or one of its logs' names whose note does not open, was answered whole (60,000 characters back)", async () => {
    await ownWitness('origin', {}, async (quoting) => {
      const at = (await quoting.listening()).url;
      for (const [status, head] of [[404, 'x'], [403, `${logKey.name}/`]] as const) {
        const long = `${head}${'y'.repeat(60_000)}`;
        const answer = await post(at, `old 0\n\n${long}\n1\n${Buffer.alloc(32).toString('base64')}\n\n\u2014 ${logKey.name} ${Buffer.alloc(68).toString('base64')}\n`);
        const { detail } = JSON.parse(answer.text) as { detail: string };
        expect({ status: answer.status, quoted: detail.includes(JSON.stringify(`${[...long].slice(0, 64).join('')}\u2026`)), length: detail.length < 400 }).toEqual({ status, quoted: true, length: true });
      }
    });
  });

  it('refuses to start with its store of cosigned checkpoints but not its key file (lost, left out of a restore), changing nothing on disk: a new key would leave the logs that trust the old one without its cosignatures, unsaid', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ztkeys-witness-keyless-'));
    const env = { WITNESS_DATA_DIR: folder, WITNESS_LOG_KEYS: verifierKeyText(logKey) };
    const files = () => Object.fromEntries(readdirSync(folder).map((name) => [name, readFileSync(join(folder, name)).toString('base64')]));
    let before: Record<string, string> = {};
    try {
      const lose = () => {
        rmSync(join(folder, 'witness-signing-key'));
        before = files();
      };
      expect(await restartAfterLoss(folder, lose)).toEqual({
        started: 1,
        stderr: '',
        fatal: [
          expect.objectContaining({
            level: 60,
            msg: `witness cannot start: ${join(folder, 'witness.sqlite')} holds checkpoints the witness cosigned, but its key (${join(folder, 'witness-signing-key')}) is missing: with a new key, the logs that trust the old one would lack its cosignatures. Put back the key from a backup; or, to start as a new witness, move the store away too and give the servers and auditors its new verifier key`,
          }),
        ],
      });
      expect(files()).toEqual(before);
      // A store that holds no cosignature yet is no promise: a new key is made, as on a first start.
      rmSync(folder, { recursive: true, force: true });
      const unused = WitnessProcess.spawn(env);
      await unused.listening();
      await unused.stop();
      rmSync(join(folder, 'witness-signing-key'));
      const fresh = WitnessProcess.spawn(env);
      expect(await Promise.race([fresh.exitCodeWithin(15_000), fresh.listening().then(() => 'listening')])).toBe('listening');
      await fresh.stop();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('says at start, in one warn line naming both verifier keys, that it now cosigns with another key than its store\'s checkpoints (another WITNESS_SIGNING_KEY): the logs that trust the old one saw its cosignatures missing with no cause said; once, and not for a store that holds no cosignature', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ztkeys-witness-rekeyed-'));
    const signerKey = (byte: number) => cosignerSignerKeyText(cosignerFromSeed('witness.test/rekeyed', Buffer.alloc(32, byte)));
    const verifierKey = (byte: number) => cosignerKeyText(cosignerFromSeed('witness.test/rekeyed', Buffer.alloc(32, byte)));
    const grown = history(['a', 'b', 'c', 'd']);
    /** Starts the witness with the key of `byte`, submits `note` unless undefined, stops it: its warn lines about its key. */
    const startWith = async (byte: number, old: number, note?: string) => {
      const witness = WitnessProcess.spawn({ WITNESS_DATA_DIR: folder, WITNESS_LOG_KEYS: verifierKeyText(logKey), WITNESS_SIGNING_KEY: signerKey(byte) });
      try {
        const at = (await witness.listening()).url;
        if (note !== undefined) expect((await post(at, body(old, old === 0 ? [] : grown.proof(old, 4), note))).status).toBe(200);
      } finally {
        await witness.stop();
      }
      return witness.lines().filter((line) => line.code === 'WITNESS_KEY_CHANGED');
    };
    try {
      expect(await startWith(1, 0)).toEqual([]);
      // Its key changed before it cosigned anything: no promise was made with the first.
      expect(await startWith(2, 0, grown.note(3))).toEqual([]);
      expect(await startWith(3, 3, grown.note(4))).toEqual([
        expect.objectContaining({
          level: 40,
          code: 'WITNESS_KEY_CHANGED',
          previousVkey: verifierKey(2),
          vkey: verifierKey(3),
          msg: `its key is not the one it cosigned its store's checkpoints with (${verifierKey(2)}): it cosigns with ${verifierKey(3)} now. Give the servers (WITNESSES) and the auditors its new verifier key, or start it with the key it had`,
        }),
      ]);
      expect(await startWith(3, 0)).toEqual([]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('answers 408 to an add-checkpoint whose body trickles in past WITNESS_REQUEST_TIMEOUT_MS, and closes its connection: slow clients cannot hold its connections', async () => {
    await ownWitness('slow', { WITNESS_REQUEST_TIMEOUT_MS: '1000' }, async (slow) => {
      const { port } = new URL((await slow.listening()).url);
      const socket = connect(Number(port), '127.0.0.1');
      const drip = setInterval(() => socket.write('o'), 200);
      try {
        const answered = await new Promise<{ text: string; closed: boolean }>((resolve) => {
          let text = '';
          const timer = setTimeout(() => resolve({ text, closed: false }), 6000);
          socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
          socket.once('close', () => (clearTimeout(timer), resolve({ text, closed: true })));
          socket.write(`POST /add-checkpoint HTTP/1.1\r\nHost: witness\r\nContent-Length: 60000\r\n\r\n`);
        });
        expect({ closed: answered.closed, status: answered.text.split('\r\n', 1)[0], problem: /application\/problem\+json/.test(answered.text) }).toEqual({ closed: true, status: 'HTTP/1.1 408 Request Timeout', problem: true });
      } finally {
        clearInterval(drip);
        socket.destroy();
      }
    });
  });

  it('cosigns a first checkpoint, refuses a fork of the same size after it, cosigns its extension', async () => {
    const first = await post(url, body(0, [], honest.note(3)));
    expect(first.status).toBe(200);
    const cosigned = verifyCosignatures(honest.note(3) + first.text, [parseCosignerKey(vkey)]);
    expect(cosigned).toHaveLength(1);
    expect(Math.abs(cosigned[0].timestamp - Date.now() / 1000)).toBeLessThan(60);

    // The split view: the operator, holding the log key, shows another auditor a fork of the same size.
    const fork = await post(url, body(3, [], forked.note(3)));
    expect(fork).toMatchObject({ status: 409, type: 'application/problem+json' });
    expect(JSON.parse(fork.text)).toMatchObject({ code: 'FORKED_CHECKPOINT' });
    // Its extension does not extend what was cosigned.
    expect((await post(url, body(3, forked.proof(3, 6), forked.note(6)))).status).toBe(422);
    // Nor does an honest proof carry a forked head.
    expect((await post(url, body(3, honest.proof(3, 6), forked.note(6)))).status).toBe(422);

    const extension = await post(url, body(3, honest.proof(3, 6), honest.note(6)));
    expect(extension.status).toBe(200);
    expect(verifyCosignatures(honest.note(6) + extension.text, [parseCosignerKey(vkey)])).toHaveLength(1);

    // The evidence that the log signed two histories: an error line naming origin, size and both roots; a
    // proof that does not show an extension is a warning with the same fields (anyone can send a wrong one).
    // The lines come over the witness's stdout, which may arrive after its HTTP answers: waited for, 5 s at most.
    for (let waited = 0; waited < 5000 && witness.lines().filter((line) => line.result === 'inconsistent').length < 2; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const rootOf = (note: string) => note.split('\n')[2];
    expect(witness.lines().filter((line) => line.level === 50 && line.result === 'forked')).toEqual([
      expect.objectContaining({ origin, size: 3, cosignedRoot: rootOf(honest.note(3)), refusedRoot: rootOf(forked.note(3)), msg: expect.stringContaining(`refused a fork of ${origin}`) }),
    ]);
    expect(witness.lines().filter((line) => line.result === 'inconsistent')).toEqual([
      expect.objectContaining({ level: 40, origin, cosignedSize: 3, cosignedRoot: rootOf(honest.note(3)), size: 6, refusedRoot: rootOf(forked.note(6)) }),
      expect.objectContaining({ level: 40, origin, cosignedSize: 3, cosignedRoot: rootOf(honest.note(3)), size: 6, refusedRoot: rootOf(forked.note(6)) }),
    ]);
    // And the proof itself, two notes of one size signed by the log with different roots, kept in its store.
    const forks = kept(dataDir) as Array<{ cosignedNote: string; refusedNote: string }>;
    expect(forks).toEqual([{ origin, kind: 'forked', size: 3, cosignedNote: honest.note(3), refusedNote: forked.note(3), refusedAt: expect.any(String) }]);
    for (const note of [forks[0].cosignedNote, forks[0].refusedNote]) expect(openNote(note, [logKey]).verifiedBy).toHaveLength(1);
    // Only the first fork of an origin is kept: another one refused later does not replace it.
    const other = history(['a', 'b', 'Y', 'd', 'e', 'f', 'g', 'h']);
    expect((await post(url, body(6, [], other.note(6)))).status).toBe(409);
    expect(kept(dataDir)).toEqual(forks);
  });

  it('answers 409 with its size (text/x.tlog.size) to an old size that is not its own: a smaller or a stale checkpoint is not cosigned', async () => {
    const stale = await post(url, body(0, [], honest.note(2)));
    expect(stale).toEqual({ status: 409, type: 'text/x.tlog.size', text: '6\n' });
    expect((await post(url, body(3, honest.proof(3, 7), honest.note(7)))).text).toBe('6\n');
  });

  it('refuses bad input with a clear 4xx and stores nothing', async () => {
    const other = signerFromSeed(logKey.name, Buffer.alloc(32, 8));
    const cases: Array<[string, number, string]> = [
      ['no blank line', 400, `old 6\n${honest.note(7).replace('\n\n', '\n')}`],
      ['old size with a leading zero', 400, body(6, honest.proof(6, 7), honest.note(7)).replace('old 6', 'old 06')],
      ['a proof line that is no hash', 400, body(6, [], honest.note(7)).replace('old 6\n', 'old 6\nnot-base64\n')],
      ['64 proof lines', 400, body(6, Array.from({ length: 64 }, () => Buffer.alloc(32)), honest.note(7))],
      ['old size above the checkpoint', 400, body(8, [], honest.note(7))],
      ['a log it does not witness', 404, body(0, [], history(['a'], signerFromSeed('other.test/log', Buffer.alloc(32, 9)), 'other.test/log/org-1').note(1))],
      ['a checkpoint signed by another key', 403, body(6, honest.proof(6, 7), signCheckpoint({ origin, size: 7, rootHash: Buffer.alloc(32), extensions: [] }, other))],
      // RFC 9162 2.1.4.2 takes no hash more or less, and none between two trees of one size.
      ['a proof with one hash more', 422, body(6, [...honest.proof(6, 7), Buffer.alloc(32, 1)], honest.note(7))],
      ['a proof with one hash less', 422, body(6, honest.proof(6, 8).slice(1), honest.note(8))],
      // Not a fork to page on: the log's own note sent again by anyone, with lines no proof between one size has.
      ['a proof between the tree it cosigned and itself', 400, body(6, honest.proof(4, 6), honest.note(6))],
      ['a tree of size 0 whose root is not the empty tree\'s', 400, body(0, [], signCheckpoint({ origin, size: 0, rootHash: Buffer.alloc(32, 3), extensions: [] }, logKey))],
      ['a checkpoint whose signature was altered', 403, body(6, honest.proof(6, 7), honest.note(7).replace(/ (\S)(\S+)\n$/, (_, c: string, rest: string) => ` ${c === 'A' ? 'B' : 'A'}${rest}\n`))],
    ];
    for (const [what, status, text] of cases) {
      const answer = await post(url, text);
      expect({ what, status: answer.status, type: answer.type }).toEqual({ what, status, type: 'application/problem+json' });
    }
    expect((await fetch(`${url}/add-checkpoint`, { method: 'POST', body: 'x'.repeat(100_000) })).status).toBe(413);
    // A 405 names the method the path takes (RFC 9110, 15.5.6), as the server's do.
    const wrongMethod = await fetch(`${url}/add-checkpoint`);
    expect({ status: wrongMethod.status, allow: wrongMethod.headers.get('allow') }).toEqual({ status: 405, allow: 'POST' });
    // Still at 6.
    expect((await post(url, body(0, [], honest.note(7)))).text).toBe('6\n');
  });

  it('serves /health/live, /health/ready (its store answers) in the shapes of the server, and /metrics: add-checkpoint outcomes by result, origins held, process metrics', async () => {
    expect(await (await fetch(`${url}/health/live`)).json()).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
    const ready = await fetch(`${url}/health/ready`);
    expect({ status: ready.status, body: await ready.json() }).toEqual({ status: 200, body: { status: 'ok', info: { store: { status: 'up' } }, error: {}, details: { store: { status: 'up' } } } });

    const scrape = await fetch(`${url}/metrics`);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    const text = await scrape.text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    // Of the tests above: 3 and 6 cosigned, the fork of 3 and another of 6, two inconsistent extensions, two stale sizes and the last check, the bad input (two proofs of it inconsistent).
    expect({
      cosigned: value('ztkeys_witness_add_checkpoint_total{result="cosigned"}'),
      other_size: value('ztkeys_witness_add_checkpoint_total{result="other_size"}'),
      forked: value('ztkeys_witness_add_checkpoint_total{result="forked"}'),
      inconsistent: value('ztkeys_witness_add_checkpoint_total{result="inconsistent"}'),
      unknown_log: value('ztkeys_witness_add_checkpoint_total{result="unknown_log"}'),
      bad_signature: value('ztkeys_witness_add_checkpoint_total{result="bad_signature"}'),
      retired_key: value('ztkeys_witness_add_checkpoint_total{result="retired_key"}'),
      malformed: value('ztkeys_witness_add_checkpoint_total{result="malformed"}'),
      origins: value('ztkeys_witness_origins'),
    }).toEqual({ cosigned: 2, other_size: 3, forked: 2, inconsistent: 4, unknown_log: 1, bad_signature: 2, retired_key: 0, malformed: 8, origins: 1 });
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).not.toContain('nodejs_version_info');
  });

  it.each([
    ['a target that is no URL', 'GET //[ HTTP/1.1\r\nHost: w\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    ['a target in absolute form that is no URL', 'GET http://[::1 HTTP/1.1\r\nHost: w\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    ['a chunk size that is no number', 'POST /add-checkpoint HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nx\r\n0\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    ['both Transfer-Encoding and Content-Length', 'POST /add-checkpoint HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    ['bytes that are no HTTP', '\x00\x01 garbage\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    ['headers over what Node reads', `GET /health/live HTTP/1.1\r\nHost: w\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
    ['no Host header', 'POST /add-checkpoint HTTP/1.1\r\nContent-Length: 0\r\n\r\n', 400, 'MALFORMED_BODY'],
    ['an Expect it cannot meet', 'POST /add-checkpoint HTTP/1.1\r\nHost: w\r\nExpect: nonsense\r\nContent-Length: 0\r\n\r\n', 417, 'EXPECTATION_FAILED'],
    ['POST /metrics', 'POST /metrics HTTP/1.1\r\nHost: w\r\nContent-Length: 0\r\n\r\n', 405, 'METHOD_NOT_ALLOWED'],
    ['HEAD /health/live', 'HEAD /health/live HTTP/1.1\r\nHost: w\r\n\r\n', 405, 'METHOD_NOT_ALLOWED'],
  ])('answers %s with a problem, never a 500 nor a bare Node answer', async (_, bytes, status, code) => {
    const answer = await rawRequest(url, bytes);
    expect({ status: answer.status, type: answer.type }).toEqual({ status, type: 'application/problem+json' });
    if (!bytes.startsWith('HEAD')) expect(JSON.parse(answer.body)).toMatchObject({ status, code });
  });

  it('its store file moved away under it (the folder renamed or removed): /health/ready 503 NOT_READY as the server says it, add-checkpoint 503 storing nothing; ready and cosigning again once it is back, not with a new empty folder', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'ztkeys-witness-moved-'));
    const folder = join(parent, 'witness-data');
    const moved = join(parent, 'witness-data.moved');
    const faulted = WitnessProcess.spawn({ WITNESS_DATA_DIR: folder, WITNESS_LOG_KEYS: verifierKeyText(logKey) });
    const ready = async (at: string) => {
      const answer = await fetch(`${at}/health/ready`);
      return { status: answer.status, type: answer.headers.get('content-type'), retryAfter: answer.headers.get('retry-after'), body: (await answer.json()) as unknown };
    };
    const storeDown = {
      status: 503,
      type: 'application/problem+json',
      retryAfter: '5',
      body: {
        type: 'urn:ztkeys:problem:not-ready',
        title: 'Service Unavailable',
        status: 503,
        code: 'NOT_READY',
        detail: expect.stringContaining(`Not ready: store down (the witness's store (witness.sqlite) is unavailable: ${join(folder, 'witness.sqlite')} is not the file this server opened`),
        checks: { store: { status: 'down', message: expect.stringContaining('put the folder back, or restart the server') } },
      },
    };
    try {
      const { url: faultedUrl } = await faulted.listening();
      expect((await post(faultedUrl, body(0, [], honest.note(3)))).status).toBe(200);
      renameSync(folder, moved);
      expect(await ready(faultedUrl)).toEqual(storeDown);
      // A cosignature is a promise kept in that file: none is given while it is not where the witness will find it at its next start.
      const refused = await post(faultedUrl, body(3, honest.proof(3, 6), honest.note(6)));
      expect({ status: refused.status, type: refused.type, code: (JSON.parse(refused.text) as { code: string }).code }).toEqual({ status: 503, type: 'application/problem+json', code: 'STORE_UNAVAILABLE' });

      renameSync(moved, folder);
      expect(await ready(faultedUrl)).toEqual({ status: 200, type: 'application/json', retryAfter: null, body: { status: 'ok', info: { store: { status: 'up' } }, error: {}, details: { store: { status: 'up' } } } });
      // Still at 3: the refused one stored nothing.
      expect((await post(faultedUrl, body(3, honest.proof(3, 6), honest.note(6)))).status).toBe(200);

      // Removed, then a new empty folder of the same name: not its store, which is gone.
      rmSync(folder, { recursive: true });
      mkdirSync(folder);
      expect(await ready(faultedUrl)).toEqual(storeDown);
      expect(readdirSync(folder)).toEqual([]);
    } finally {
      await faulted.stop();
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('its store locked by another process past the busy timeout (BEGIN EXCLUSIVE): add-checkpoint waits without holding the witness (it answers /health/live meanwhile), then 503 STORE_UNAVAILABLE, not a 500, storing nothing; cosigned once the lock is let go', async () => {
    const lock = new Database(join(dataDir, 'witness.sqlite'));
    const log = history(['a', 'b'], logKey, `${logKey.name}/org-locked`);
    try {
      lock.exec('BEGIN EXCLUSIVE');
      const order: string[] = [];
      const refusing = post(url, body(0, [], log.note(1))).then((answer) => (order.push('refused'), answer));
      await new Promise((resolve) => setTimeout(resolve, 500));
      order.push(`live ${(await fetch(`${url}/health/live`)).status}`);
      const refused = await refusing;
      expect(order).toEqual(['live 200', 'refused']);
      expect({ status: refused.status, type: refused.type, code: (JSON.parse(refused.text) as { code: string }).code }).toEqual({ status: 503, type: 'application/problem+json', code: 'STORE_UNAVAILABLE' });
    } finally {
      lock.exec('ROLLBACK');
      lock.close();
    }
    expect((await post(url, body(0, [], log.note(1)))).status).toBe(200);
  }, 30_000);

  it('/metrics answers only the METRICS_TOKEN when it is set', async () => {
    await ownWitness('token', { METRICS_TOKEN: 'scrape-me' }, async (guarded) => {
      const { url: guardedUrl } = await guarded.listening();
      const refused = await fetch(`${guardedUrl}/metrics`);
      expect({ status: refused.status, type: refused.headers.get('content-type') }).toEqual({ status: 401, type: 'application/problem+json' });
      expect((await fetch(`${guardedUrl}/metrics`, { headers: { authorization: 'Bearer scrape-me' } })).status).toBe(200);
      expect((await fetch(`${guardedUrl}/health/ready`)).status).toBe(200);
    });
  });

  it('keeps at most WITNESS_MAX_CONNECTIONS open: one past them is closed as accepted, and counted; the witness answers once one is let go', async () => {
    // A witness is on the open network: clients that open connections and send nothing would otherwise take every file descriptor it may open.
    const folder = mkdtempSync(join(tmpdir(), 'ztkeys-witness-connections-'));
    const capped = WitnessProcess.spawn({ WITNESS_DATA_DIR: folder, WITNESS_LOG_KEYS: verifierKeyText(logKey), WITNESS_MAX_CONNECTIONS: '2' });
    const { port } = new URL((await capped.listening()).url);
    const sockets: Socket[] = [];
    const open = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => resolve(socket));
        sockets.push(socket);
        socket.once('error', reject);
      });
    const closedWithin = (socket: Socket, ms: number): Promise<boolean> =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), ms);
        socket.once('close', () => (clearTimeout(timer), resolve(true)));
        socket.resume();
      });
    const idle = [await open(), await open()];
    try {
      const third = await open();
      expect(await closedWithin(third, 2000)).toBe(true);
      expect(await closedWithin(idle[0], 300)).toBe(false);
      idle.pop()!.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
      // A connection of its own, closed after the answer: the witness's stop waits for no kept-alive one.
      const metrics = await new Promise<string>((resolve, reject) =>
        get({ host: '127.0.0.1', port: Number(port), path: '/metrics', agent: false }, (answer) => {
          let text = '';
          answer.on('data', (chunk: Buffer) => (text += chunk.toString()));
          answer.on('end', () => resolve(text));
        }).once('error', reject),
      );
      expect(metrics).toMatch(/^ztkeys_connections_dropped_total 1$/m);
    } finally {
      for (const socket of sockets) socket.destroy();
      await capped.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('two witness processes on one store: of concurrent add-checkpoint for one origin, exactly one wins, the other gets 409', async () => {
    const second = WitnessProcess.spawn({ WITNESS_DATA_DIR: dataDir, WITNESS_LOG_KEYS: verifierKeyText(logKey) });
    try {
      const { url: url2, vkey: vkey2 } = await second.listening();
      expect(vkey2).toBe(vkey);
      let won = { first: 0, second: 0 };
      for (let round = 1; round <= 30; round++) {
        // A new origin each round, seen by neither yet: sizes 3 and 4 through the two processes at once, both from old size 0.
        const log = history(['a', 'b', 'c', 'd'], logKey, `${logKey.name}/org-race-${round}`);
        const [a, b] = await Promise.all([post(url, body(0, [], log.note(3))), post(url2, body(0, [], log.note(4)))]);
        expect([a.status, b.status].sort()).toEqual([200, 409]);
        // The loser is told the winner's size.
        expect(a.status === 409 ? a.text : b.text).toBe(a.status === 409 ? '4\n' : '3\n');
        won = a.status === 200 ? { ...won, first: won.first + 1 } : { ...won, second: won.second + 1 };
      }
      expect(won.first + won.second).toBe(30);
    } finally {
      await second.stop();
    }
  });
});
