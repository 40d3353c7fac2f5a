import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changeVersion } from '../../projections/document-change';
import { agentBrowserId } from '../../projections/org-status.projection';
import { mintAgentToken } from '../../src/auth/token-minter';
import { SqliteReadModelStore } from '../../src/read-models/sqlite/sqlite-read-model-store';
import { createAcmeOverHttp } from '../support/acme-over-http';
import { embeddedEnv } from '../support/embedded-env';
import { waitFor } from '../notifications/support/wait-for';
import { ServerProcess } from './support/server-process';

const BOOTSTRAP_TOKEN = 'projection-version-bootstrap-token-of-32-bytes';
const STALE_BROWSER = 'browser-logged-out-under-version-1';

/**
 * An upgrade to a release whose projection writes other documents for the same events (org-status
 * 2: a logged-out browser has none), on a DATA_DIR version 1 wrote: the server rebuilds the model
 * at start, saying why in one line, and never serves the stale documents once it is done. A
 * DATA_DIR a newer projection wrote is refused. The built server, as an operator runs it.
 */
describe('a DATA_DIR whose read model an older or newer version of its projection wrote', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-projection-version-'));
  const secret = randomBytes(32).toString('base64url');
  const env = { DATA_DIR: dataDir, BOOTSTRAP_TOKEN, JWT_SECRET: secret };
  const started: ServerProcess[] = [];
  const spawn = () => {
    const server = ServerProcess.spawn(env);
    started.push(server);
    return server;
  };
  let orgId: string;
  const status = async (url: string) => {
    const token = await mintAgentToken(secret, { agentId: 'alice', orgId }, 600);
    const answer = await fetch(`${url}/v1/orgs/${orgId}/zero-trust-status`, { headers: { authorization: `Bearer ${token}` } });
    return { code: answer.status, body: await answer.text() };
  };
  const versions = () => new Database(join(dataDir, 'read-models.sqlite'));

  beforeAll(async () => {
    const first = spawn();
    const url = await first.listening(120_000);
    orgId = (await createAcmeOverHttp(url, BOOTSTRAP_TOKEN)).orgId;
    await waitFor('the status to list alice', async () => (await fetch(`${url}/health/ready`)).status === 200 && (await status(url)).body.includes('"alice"'));
    expect(await first.stopWith('SIGTERM', 30_000)).toBeLessThan(Infinity);

    // As org-status version 1 left it: a browser logged out of (EVERY_TASK) kept its document, and no version recorded.
    const store = new SqliteReadModelStore({ path: join(dataDir, 'read-models.sqlite'), existing: true });
    const generation = await store.activeGeneration('org-status');
    const at = (await store.checkpointEvent('org-status'))!;
    const document = { orgId, agentId: 'alice', browserId: STALE_BROWSER, promptFrequency: 'EVERY_TASK', changedAt: new Date().toISOString() };
    await store.apply('org-status', generation, [{ change: { kind: 'upsert', collection: 'agent_browsers', id: agentBrowserId(orgId, 'alice', STALE_BROWSER), document }, version: changeVersion(at.position, 99) }], at.position, at.eventId);
    await store.close();
    const db = versions();
    db.exec('DROP TABLE read_model_projection_versions');
    db.close();
  }, 180_000);
  afterAll(() => {
    started.forEach((server) => server.dispose());
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('rebuilds at start the model whose stored version is older, saying which and why in one line, and then serves it without the stale documents', async () => {
    const server = spawn();
    const url = await server.listening(120_000);
    const said = /read model org-status: its projection changed \(stored version 1, this release's 2\); rebuilding it from the log/;
    // Asked from the moment it listens: not ready (naming the rebuild) until the rebuilt model serves.
    const notReady: string[] = [];
    await waitFor(
      'the server to be ready',
      async () => {
        const ready = await fetch(`${url}/health/ready`);
        if (ready.status === 200) return true;
        notReady.push(`${ready.status} ${await ready.text()}`);
        return false;
      },
      60_000,
    );
    const answer = await status(url);
    expect(answer.code).toBe(200);
    expect(answer.body).toContain('"alice"');
    expect(answer.body).not.toContain(STALE_BROWSER);
    expect(notReady.length).toBeGreaterThan(0);
    for (const body of notReady) expect(body).toMatch(/^503 .*read model org-status: its projection changed \(stored version 1, this release's 2\); rebuilding it from the log/);
    expect(said.test(server.stdout + server.stderr)).toBe(true);
    // The projector's line (readiness names the reason too while it is not ready).
    expect(server.logLines.filter((line) => line.context !== 'Readiness' && said.test(String(line.msg)))).toHaveLength(1);
    // No other model is rebuilt: their projections are still at version 1.
    expect(server.stdout + server.stderr).not.toMatch(/read model (?!org-status)[a-z-]+: its projection changed/);
    expect(await server.stopWith('SIGTERM', 30_000)).toBeLessThan(Infinity);

    const again = spawn();
    await again.listening(120_000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(again.stdout + again.stderr).not.toMatch(/its projection changed/);
    expect(await again.stopWith('SIGTERM', 30_000)).toBeLessThan(Infinity);
  }, 180_000);

  it('refuses to start on a model a newer version of its projection wrote, in one line naming it and both versions', async () => {
    for (const earlier of started) expect(await earlier.stopWith('SIGTERM', 30_000)).toBeLessThan(Infinity);
    const db = versions();
    db.prepare("UPDATE read_model_projection_versions SET version = 3 WHERE model = 'org-status'").run();
    db.close();
    const server = spawn();
    expect((await server.exitWithin(30_000)).code).toBe(1);
    expect(server.stderr + server.stdout).toMatch(/read model org-status was built by version 3 of its projection, written by a newer ztkeys; this release knows version 2/);
    // `npm run projections:rebuild` too: it would rebuild the model with this release's older projection.
    const rebuild = spawnSync(process.execPath, [join(__dirname, '../../dist/src/read-models/rebuild.main.js'), 'org-status'], { env: embeddedEnv({ ...env, REBUILD_GRACE_MS: '0' }), encoding: 'utf8' });
    expect(rebuild.status).toBe(1);
    expect(rebuild.stderr).toMatch(/^rebuild failed: read model org-status was built by version 3 of its projection, written by a newer ztkeys; this release knows version 2/);
  }, 60_000);
});
