import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { embeddedEnv } from '../support/embedded-env';

const root = join(__dirname, '..', '..');

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

async function waitUntilReady(url: string): Promise<void> {
  // Up to 45 s: loading the modules alone takes seconds on a busy machine.
  for (let i = 0; i < 450; i++) {
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('server did not become ready');
}

/** README's walkthrough (scripts/walkthrough.sh: curl + openssl) against the built server, as a user runs it. */
describe('README walkthrough', () => {
  let server: ChildProcess;
  let dataDir: string;
  let api: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-walkthrough-'));
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [join(root, 'dist/src/main.js')], {
      env: embeddedEnv({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' }),
      stdio: 'ignore',
    });
    await waitUntilReady(api);
  });

  afterAll(() => {
    server.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('bootstraps an org, makes a first key, approves one request with code and signature, and rejects another', async () => {
    const { stdout } = await promisify(execFile)('bash', [join(root, 'scripts/walkthrough.sh')], {
      cwd: root,
      env: { ...process.env, API: api, DATA_DIR: dataDir },
    });
    expect(stdout).toContain('{"status":"APPROVED","verificationCode"');
    expect(stdout).toMatch(/\{"status":"PENDING","verificationCode":"\d{3}-\d{3}-\d{3}-\d{3}-\d{3}"\}/);
    expect(stdout).toContain('{"status":"APPROVED","mode":"APPROVAL"}');
    expect(stdout).toContain('{"status":"REJECTED"}');
    expect(stdout).toContain('{"authorized":true,"method":"SIGNATURE"}');
  });
});
