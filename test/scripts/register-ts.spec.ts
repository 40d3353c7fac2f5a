import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const REGISTER = join(__dirname, '..', '..', 'scripts', 'register-ts.js');

/**
 * scripts/register-ts.js, which lets the suites' children and worker threads run TypeScript: its
 * cache of compiled files is a saving, never a condition. A temporary folder it cannot write in
 * (read-only, full, or not a folder at all) leaves a child compiling as it would without a cache.
 */
describe('the TypeScript require hook of the suites', () => {
  const folder = mkdtempSync(join(tmpdir(), 'ztkeys-register-ts-'));
  const fixture = join(folder, 'hello.ts');
  writeFileSync(fixture, "const greeting: string = 'hello from TypeScript';\nprocess.stdout.write(greeting);\n");
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const run = (tmp: string) => promisify(execFile)(process.execPath, ['--require', REGISTER, fixture], { env: { ...process.env, TMPDIR: tmp } });

  it('keeps what it compiled in the temporary folder', async () => {
    const tmp = join(folder, 'writable');
    expect((await run(tmp)).stdout).toBe('hello from TypeScript');
    expect(readdirSync(join(tmp, 'ztkeys-register-ts'))).toHaveLength(1);
    expect((await run(tmp)).stdout).toBe('hello from TypeScript');
  });

  it('compiles without keeping anything where the temporary folder cannot be written', async () => {
    // Not a folder: nothing can be made in it, whoever runs the test (root ignores a mode of 0555).
    const tmp = join(folder, 'a-file');
    writeFileSync(tmp, 'not a folder');
    const { stdout, stderr } = await run(tmp);
    expect(stdout).toBe('hello from TypeScript');
    expect(stderr).toBe('');
    expect(readFileSync(tmp, 'utf8')).toBe('not a folder');
  });
});
