import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA_FORMAT } from '../../src/shared/data-format';
import { signerFromSeed, verifierKeyText } from '../../src/transparency/signed-note';
import { folderContents } from '../support/folder-contents';
import { runWithin } from '../support/run-within';
import { WITNESS_MAIN, WitnessProcess } from './support/witness-process';

const LOG_KEYS = verifierKeyText(signerFromSeed('ztkeys.test/audit-log', Buffer.alloc(32, 7)));
/** A format no release knows yet: what a newer release would have written. */
const NEWER = 1000;
const refusal = (store: string): string =>
  `${store} is in data format ${NEWER}, written by a newer ztkeys; this release knows data format ${DATA_FORMAT} at most: run the newer release on it, or restore the backup taken before the upgrade`;

/**
 * The witness's store records its data format as the server's stores do (PRAGMA user_version): a
 * witness started on a witness.sqlite a newer release wrote (or on such a backup) refuses it in
 * one line naming both formats, and leaves the folder as found; one of before the marker is marked.
 * The built witness, as its operator runs it.
 */
describe('the data format of the witness store', () => {
  const folder = mkdtempSync(join(tmpdir(), 'ztkeys-witness-data-format-'));
  const store = join(folder, 'witness.sqlite');

  const start = async (): Promise<void> => {
    const witness = WitnessProcess.spawn({ WITNESS_DATA_DIR: folder, WITNESS_LOG_KEYS: LOG_KEYS });
    await witness.listening();
    await witness.stop();
  };
  const format = (value?: number): unknown => {
    const db = new Database(store, { fileMustExist: true });
    try {
      return value === undefined ? db.pragma('user_version', { simple: true }) : db.pragma(`user_version = ${value}`);
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    await start();
    expect(format()).toBe(DATA_FORMAT);
    // A store of before the marker is marked at start.
    format(0);
    await start();
    expect(format()).toBe(DATA_FORMAT);
    // As a newer release would leave it.
    format(NEWER);
  }, 30_000);
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('refuses to start on a store a newer release wrote: exit 1, one fatal line naming both formats, the folder byte for byte as found', async () => {
    const before = folderContents(folder);
    const refused = WitnessProcess.spawn({ WITNESS_DATA_DIR: folder, WITNESS_LOG_KEYS: LOG_KEYS });
    expect(await refused.exitCodeWithin(15_000)).toBe(1);
    expect({ stderr: refused.stderr, lines: refused.lines() }).toEqual({
      stderr: '',
      lines: [expect.objectContaining({ level: 60, name: 'witness', msg: `witness cannot start: ${refusal(store)}` })],
    });
    expect(folderContents(folder)).toEqual(before);
  }, 30_000);

  it('refuses it before generating a key too (its key file left out of the restore)', async () => {
    const keyless = mkdtempSync(join(tmpdir(), 'ztkeys-witness-data-format-keyless-'));
    try {
      const db = new Database(join(keyless, 'witness.sqlite'));
      db.pragma(`user_version = ${NEWER}`);
      db.close();
      const before = folderContents(keyless);
      const refused = WitnessProcess.spawn({ WITNESS_DATA_DIR: keyless, WITNESS_LOG_KEYS: LOG_KEYS });
      expect(await refused.exitCodeWithin(15_000)).toBe(1);
      expect(refused.lines()).toEqual([expect.objectContaining({ level: 60, msg: `witness cannot start: ${refusal(join(keyless, 'witness.sqlite'))}` })]);
      expect(folderContents(keyless)).toEqual(before);
    } finally {
      rmSync(keyless, { recursive: true, force: true });
    }
  }, 30_000);

  it('`npm run witness -- forks` refuses it as well: exit 1, one line on stderr, nothing on stdout, the folder as found', () => {
    const before = folderContents(folder);
    const run = runWithin([process.execPath, WITNESS_MAIN, 'forks'], { env: { PATH: process.env.PATH, WITNESS_DATA_DIR: folder }, encoding: 'utf8' }, 20_000);
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ status: 1, stdout: '', stderr: `witness forks failed: ${refusal(store)}\n` });
    expect(folderContents(folder)).toEqual(before);
  });
});
