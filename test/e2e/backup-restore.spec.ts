import { fork } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call } from '../support/api-client';
import { embeddedEnv } from '../support/embedded-env';
import { WatchedChild } from '../support/watched-child';
import { startTestServer, type TestServer } from '../support/test-server';

// As built by npm run build (npm test builds first), as operators run it.
const BACKUP_MAIN = join(__dirname, '../../dist/src/backup/backup.main.js');
// Three copies, each taken while the writers commit orgs (about a hundred a copy), each restored: six took twice
// the time, most of it the copies and the restored servers' checks of every org, for no other case.
const BACKUPS = 3;

/** `npm run backup -- target` as its own process, beside the serving one. */
async function runBackup(dataDir: string, target: string): Promise<string> {
  const child = fork(BACKUP_MAIN, [target], {
    env: embeddedEnv({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const backup = new WatchedChild(child, `npm run backup -- ${target}`);
  const { code } = await backup.endWithin(60_000);
  if (code !== 0) throw new Error(`backup exited ${code}: ${backup.output}`);
  return backup.output;
}

describe('npm run backup under load, each copy restored and served', () => {
  const work = mkdtempSync(join(tmpdir(), 'ztkeys-backups-'));
  let server: TestServer;
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const createOrg = (target: TestServer, name: string) =>
    call(target, 'POST', '/v1/orgs', target.bootstrapToken, {
      name,
      superAdmin: { agentId: 'alice', email: 'alice@example.com', displayName: 'Alice' },
    });

  it('keeps every command acknowledged before the backup began, and serves new ones after the restore', async () => {
    server = await startTestServer();
    const acknowledged: string[] = [];
    let loading = true;
    const writers = Array.from({ length: 3 }, async (_, w) => {
      for (let i = 0; loading; i++) {
        const reply = await createOrg(server, `Org ${w}-${i}`);
        expect(reply.status).toBe(201);
        acknowledged.push(reply.body.orgId as string);
      }
    });

    const backups: Array<{ dir: string; before: string[] }> = [];
    try {
      for (let b = 0; b < BACKUPS; b++) {
        await new Promise((resolve) => setTimeout(resolve, 150));
        const before = [...acknowledged];
        const dir = join(work, `backup-${b}`);
        expect(await runBackup(server.dataDir, dir)).toMatch(/backed up read-models\.sqlite, merkle-nodes\.sqlite, email\.sqlite, events\.sqlite/);
        backups.push({ dir, before });
      }
    } finally {
      loading = false;
      await Promise.all(writers);
      await server.close();
    }
    expect(backups.at(-1)!.before.length).toBeGreaterThan(BACKUPS);
    // A backup holds what DATA_DIR holds (names, emails, the log, secrets): the service user's only, as DATA_DIR is.
    const mode = (path: string) => `${path} ${(statSync(path).mode & 0o777).toString(8)}`;
    for (const { dir } of backups) {
      expect([dir, ...readdirSync(dir).map((name) => join(dir, name))].map(mode)).toEqual([`${dir} 700`, ...readdirSync(dir).map((name) => `${join(dir, name)} ${statSync(join(dir, name)).isDirectory() ? 700 : 600}`)]);
    }

    for (const { dir, before } of backups) {
      // Restore: the backup folder becomes a fresh DATA_DIR, and the app starts on it.
      const dataDir = join(work, `restored-${dir.split('-').at(-1)}`);
      cpSync(dir, dataDir, { recursive: true });
      expect(readFileSync(join(dataDir, 'bootstrap-token'), 'utf8').trim()).toBe(server.bootstrapToken);
      const restored = await startTestServer({ DATA_DIR: dataDir, MIN_POSITION_WAIT_MS: '15000' });
      try {
        const logged = new Set<string>();
        for (let after: bigint | undefined; ; ) {
          const page = await restored.eventStore.readAll(after, 1000);
          if (page.length === 0) break;
          for (const event of page) logged.add(event.metadata.orgId);
          after = page.at(-1)!.position;
        }
        expect(before.filter((orgId) => !logged.has(orgId))).toEqual([]);
        const head = String(await restored.eventStore.headPosition());
        for (const orgId of before) {
          const token = await restored.token(orgId, 'alice');
          const status = await call(restored, 'GET', `/v1/orgs/${orgId}/zero-trust-status`, token, undefined, { 'x-min-position': head });
          expect([orgId, status.status, status.body.totals?.agents]).toEqual([orgId, 200, 1]);
        }
        const later = await createOrg(restored, 'After restore');
        expect(later.status).toBe(201);
        const token = await restored.token(later.body.orgId, 'alice');
        const audit = await call(restored, 'GET', `/v1/orgs/${later.body.orgId}/audit-log`, token, undefined, { 'x-min-position': later.body.position });
        expect(audit.status).toBe(200);
        expect(audit.body.items.length).toBeGreaterThan(0);
      } finally {
        await restored.close();
      }
    }
  }, 240_000);
});
