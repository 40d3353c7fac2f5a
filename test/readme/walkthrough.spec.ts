import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedEnv } from '../support/embedded-env';
import { outputWithin } from '../support/run-within';
import { shownCommand, WatchedChild } from '../support/watched-child';

const root = join(__dirname, '..', '..');
const CURL = 'Walkthrough with curl';
const CLI = 'Walkthrough: the journey of the article';

jest.setTimeout(600_000); // the CLI walkthrough derives keys with scrypt (about 0.5 s each, much more on a loaded machine)

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

async function waitUntilReady(url: string, server: WatchedChild): Promise<void> {
  // Up to 45 s: loading the modules alone takes seconds on a busy machine.
  for (const deadline = Date.now() + 45_000; Date.now() < deadline; ) {
    try {
      if ((await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(5_000) })).ok) return;
    } catch {
      // not listening yet
    }
    if (server.child.exitCode !== null || server.child.signalCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server did not become ready at ${url}/health/ready within 45 s: ${server.describe()}`);
}

/** The `#>` lines of a README section: what its blocks print, `<…>` standing for what varies. */
function shownOutput(title: string): RegExp[] {
  const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
  const start = lines.findIndex((line) => /^#+ /.test(line) && line.replace(/^#+ /, '') === title);
  const shown: RegExp[] = [];
  let fence = false;
  for (const line of lines.slice(start + 1)) {
    if (/^ *```/.test(line)) fence = !fence;
    else if (!fence && /^#+ /.test(line)) break;
    else if (fence && /^ *#> /.test(line)) {
      const text = line.replace(/^ *#> /, '');
      const pattern = text
        .split('<…>')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ {2,}/g, '\\s+'))
        .join('.+?');
      shown.push(new RegExp(`^\\s*${pattern}\\s*$`));
    }
  }
  return shown;
}

/**
 * scripts/walkthrough.sh: the section's bash blocks as printed, stdout and stderr as a terminal shows
 * them; its end within 400 s (under the suite's 600 s), else an error with its last lines.
 */
async function runWalkthrough(title: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const command = ['bash', join(root, 'scripts/walkthrough.sh'), title];
  const run = new WatchedChild(spawn(command[0], command.slice(1), { cwd: tmpdir(), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }), shownCommand(command));
  const { code } = await run.endWithin(400_000);
  return { code, output: run.output };
}

/** Every shown line appears in the output, in the README's order. */
function expectShownInOrder(output: string, shown: RegExp[]): void {
  const lines = output.split('\n');
  let at = 0;
  for (const pattern of shown) {
    const found = lines.findIndex((line, i) => i >= at && pattern.test(line));
    if (found < 0) throw new Error(`README shows a line matching ${pattern} that the run did not print (after line ${at}):\n${output}`);
    at = found + 1;
  }
}

/** README's walkthroughs, each run exactly as printed against the built server, as a user runs them. */
describe('README walkthroughs', () => {
  let server: WatchedChild;
  let dataDir: string;
  let api: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-walkthrough-'));
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    const command = [process.execPath, join(root, 'dist/src/main.js')];
    server = new WatchedChild(
      spawn(command[0], command.slice(1), { env: embeddedEnv({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' }), stdio: ['ignore', 'pipe', 'pipe'] }),
      shownCommand(command),
    );
    await waitUntilReady(api, server);
  });

  afterAll(() => {
    server.child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([CURL, CLI])('"%s" runs as printed, prints what README shows, and leaves nothing in the repository', async (title) => {
    const shown = shownOutput(title);
    expect(shown.length).toBeGreaterThan(5);
    // Files the run would leave in the repository: untracked or ignored ones (build output aside).
    const repoState = () =>
      outputWithin(['git', 'status', '--porcelain', '--ignored', '--untracked-files=all', '--', ':!dist', ':!node_modules', ':!.tmp'], { cwd: root, encoding: 'utf8' }, 20_000)
        .split('\n')
        .filter((line) => /^(\?\?|!!) /.test(line));
    const before = repoState();
    const { code, output } = await runWalkthrough(title, { API: api, DATA_DIR: dataDir });
    expect({ code, output }).toMatchObject({ code: 0 });
    expectShownInOrder(output, shown);
    expect(output).not.toMatch(/^> ztkeys@/m); // npm's banner never lands in a token
    expect(repoState()).toEqual(before);
  });

  it("the curl walkthrough's api helper stops at once, with the server's problem, on a wrong bootstrap token", async () => {
    const wrongDir = mkdtempSync(join(tmpdir(), 'ztkeys-wrong-boot-'));
    writeFileSync(join(wrongDir, 'bootstrap-token'), 'not-the-bootstrap-token');
    try {
      const { code, output } = await runWalkthrough(CURL, { API: api, DATA_DIR: wrongDir });
      expect(code).not.toBe(0);
      expect(output).toMatch(/^api POST \/v1\/orgs failed: \{.*"status":401/m);
      expect(output).not.toMatch(/orgs\/null/);
    } finally {
      rmSync(wrongDir, { recursive: true, force: true });
    }
  });
});
