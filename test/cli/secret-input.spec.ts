import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { ProfileStore } from '../../src/cli/profile-store';
import { runCli } from '../../src/cli/run-cli';
import { readSecret } from '../../src/cli/secret-input';
import { memoryIo } from './support/memory-io';

const source = { what: 'passphrase', option: 'passphrase', envName: 'ZTKEYS_PASSPHRASE' };

describe('secrets from a file descriptor or the environment', () => {
  let dir: string;
  const fds: number[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ztkeys-secret-'));
  });
  afterAll(() => {
    for (const fd of fds) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });
  const fdWith = (text: string): number => {
    const path = join(dir, `fd-${fds.length}`);
    writeFileSync(path, text, { mode: 0o600 });
    const fd = openSync(path, 'r');
    fds.push(fd);
    return fd;
  };

  it('reads the whole fd, without the one trailing newline that echo adds', async () => {
    await expect(readSecret({ ...source, fd: fdWith('two words \n') }, memoryIo({}))).resolves.toBe('two words ');
  });

  it('prefers the fd to the environment, and takes the environment when there is no fd', async () => {
    const env = { ZTKEYS_PASSPHRASE: 'from env' };
    await expect(readSecret({ ...source, fd: fdWith('from fd') }, memoryIo(env))).resolves.toBe('from fd');
    await expect(readSecret(source, memoryIo(env))).resolves.toBe('from env');
  });

  it('without a terminal, fd or variable, says how to give it (exit 2), and never reads piped stdin', async () => {
    await expect(readSecret(source, memoryIo({}, 'piped passphrase\n'))).rejects.toMatchObject({
      exitCode: EXIT.USAGE,
      message: 'No terminal to ask for the passphrase on: give it with --passphrase-file PATH, --passphrase-fd N or ZTKEYS_PASSPHRASE.',
    });
  });

  it('reads a whole file (npx passes no extra descriptor), and says which file it cannot read', async () => {
    const path = join(dir, 'pass.txt');
    writeFileSync(path, 'from a file\n', { mode: 0o600 });
    await expect(readSecret({ ...source, file: path }, memoryIo({ ZTKEYS_PASSPHRASE: 'from env' }))).resolves.toBe('from a file');
    await expect(readSecret({ ...source, file: join(dir, 'missing') }, memoryIo({}))).rejects.toMatchObject({
      exitCode: EXIT.USAGE,
      message: `--passphrase-file ${join(dir, 'missing')}: cannot read it (ENOENT).`,
    });
  });

  it('refuses a file (or a file given as a descriptor) that other users can read or change: the secret may have been copied', async () => {
    const path = join(dir, 'agent.token');
    writeFileSync(path, 'a token\n', { mode: 0o600 });
    chmodSync(path, 0o644); // as `npm run -s token > agent.token` leaves it under the usual umask
    const refusal = (label: string) => ({
      exitCode: EXIT.USAGE,
      message: `${label}: other users can read or change this file (mode 0644), so the secret in it may have been copied. Make it yours alone (chmod 600) and, if others use this machine, replace the secret.`,
    });
    await expect(readSecret({ ...source, file: path }, memoryIo({}))).rejects.toMatchObject(refusal(`--passphrase-file ${path}`));
    const fd = openSync(path, 'r');
    fds.push(fd);
    await expect(readSecret({ ...source, fd }, memoryIo({}))).rejects.toMatchObject(refusal(`--passphrase-fd ${fd}`));
    chmodSync(path, 0o640);
    await expect(readSecret({ ...source, file: path }, memoryIo({}))).rejects.toMatchObject({ exitCode: EXIT.USAGE });
    chmodSync(path, 0o600);
    await expect(readSecret({ ...source, file: path }, memoryIo({}))).resolves.toBe('a token');
  });

  it('refuses an empty secret', async () => {
    await expect(readSecret({ ...source, fd: fdWith('\n') }, memoryIo({}))).rejects.toMatchObject({ exitCode: EXIT.USAGE });
  });

  it('refuses a new passphrase under 12 characters before generating anything', async () => {
    const home = join(dir, 'home');
    new ProfileStore(home).save('default', { apiUrl: 'http://127.0.0.1:9', token: 't', orgId: 'org-1', agentId: 'alice' });
    const io = memoryIo({ ZTKEYS_HOME: home, ZTKEYS_PASSPHRASE: 'short pass' });
    expect(await runCli(['keys', 'create'], io)).toBe(EXIT.USAGE);
    expect(io.stderr.text).toMatch(/at least 12 characters; nothing was created/);
    expect(existsSync(join(home, 'keys'))).toBe(false);
  });
});
