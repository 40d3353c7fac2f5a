import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePrivateDir } from '../../src/shared/private-files';

describe('makePrivateDir', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'ztkeys-private-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

  it('creates the folder and each missing parent 0700, and leaves a folder that exists as it is', () => {
    makePrivateDir(join(root, 'a', 'b', 'c'));
    expect([mode(join(root, 'a')), mode(join(root, 'a', 'b')), mode(join(root, 'a', 'b', 'c'))]).toEqual(['700', '700', '700']);
    makePrivateDir(join(root, 'a', 'b', 'c'));
    expect(mode(join(root, 'a', 'b', 'c'))).toBe('700');
  });

  it('throws EEXIST where a file is the folder, ENOTDIR where one is on its path', () => {
    writeFileSync(join(root, 'file'), '');
    expect(() => makePrivateDir(join(root, 'file'))).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => makePrivateDir(join(root, 'file', 'data'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  it("throws ENOENT under /proc, where Node's recursive mkdir never returned (a process of its own, killed after 10 s if it spins)", () => {
    const script = `require(${JSON.stringify(join(__dirname, '../../dist/src/shared/private-files'))}).makePrivateDir('/proc/ztkeys-private/data')`;
    const run = spawnSync(process.execPath, ['-e', `try { ${script} } catch (e) { console.log(e.code) }`], { timeout: 10_000, encoding: 'utf8' });
    expect({ signal: run.signal, stdout: run.stdout.trim() }).toEqual({ signal: null, stdout: 'ENOENT' });
  });
});
