import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerProcess } from './support/server-process';

const BOOTSTRAP_TOKEN = 'data-dir-moved-bootstrap-token-of-32-bytes-at-least';

/** The answer's status, content type and body. */
async function send(url: string, method: string, path: string, body?: unknown) {
  const answer = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: answer.status, type: answer.headers.get('content-type') ?? '', body: (await answer.json()) as any };
}

/** Events in the log file at `folder`, read beside the server (WAL: the reader sees what was committed). */
function eventsIn(folder: string): number {
  const db = new Database(join(folder, 'events.sqlite'), { readonly: true });
  try {
    return Number((db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n);
  } finally {
    db.close();
  }
}

/**
 * DATA_DIR moved, removed or replaced under a running server (an operator's mv, a restore over a
 * running server, a cleanup script): its open files answer on, but what they take no path leads
 * to, and the next start, which opens the path, would not find it. No append is acknowledged then.
 */
describe('DATA_DIR moved away under the running server', () => {
  const parent = mkdtempSync(join(tmpdir(), 'ztkeys-data-dir-moved-'));
  const dataDir = join(parent, 'data');
  const moved = join(parent, 'data.moved');
  let server: ServerProcess;
  afterAll(() => {
    server?.dispose();
    rmSync(parent, { recursive: true, force: true });
  });
  const createOrg = (url: string, i: number) =>
    send(url, 'POST', '/v1/orgs', { name: `Org ${i}`, superAdmin: { agentId: `alice-${i}`, email: `alice${i}@example.com`, displayName: 'Alice' } });
  const readyWithin = async (url: string, status: number, ms = 15_000) => {
    const deadline = Date.now() + ms;
    let ready = await send(url, 'GET', '/health/ready');
    while (ready.status !== status && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      ready = await send(url, 'GET', '/health/ready');
    }
    return ready;
  };

  it('answers 503 STORE_UNAVAILABLE acknowledging nothing and fails readiness, moved or replaced by an empty folder; resumes by itself once it is back', async () => {
    server = ServerProcess.spawn({ DATA_DIR: dataDir, BOOTSTRAP_TOKEN, JWT_SECRET: 'data-dir-moved-jwt-secret-of-32-bytes-at-least' });
    const url = await server.listening();
    expect((await readyWithin(url, 200)).status).toBe(200);
    expect((await createOrg(url, 0)).status).toBe(201);
    const before = eventsIn(dataDir);

    renameSync(dataDir, moved);
    const refused = await createOrg(url, 1);
    expect({ status: refused.status, type: refused.type, code: refused.body.code }).toEqual({ status: 503, type: 'application/problem+json; charset=utf-8', code: 'STORE_UNAVAILABLE' });
    expect(refused.body.detail).toMatch(/the event store \(events\.sqlite\) is unavailable: .*events\.sqlite is not the file this server opened/);
    expect(refused.body.detail).toMatch(/put the folder back, or restart the server/);
    expect(eventsIn(moved)).toBe(before);
    const down = await send(url, 'GET', '/health/ready');
    expect({ status: down.status, code: down.body.code }).toEqual({ status: 503, code: 'NOT_READY' });
    // Every embedded store in DATA_DIR, each by its file.
    expect(down.body.checks).toMatchObject({
      eventStore: { status: 'down', message: expect.stringMatching(/events\.sqlite is not the file this server opened/) },
      readModels: { status: 'down', message: expect.stringMatching(/read-models\.sqlite is not the file this server opened/) },
      emailQueue: { status: 'down', message: expect.stringMatching(/email\.sqlite is not the file this server opened/) },
    });
    expect((await send(url, 'GET', '/health/live')).status).toBe(200);

    // Nothing made DATA_DIR anew meanwhile (the outbox of org 0's email): it can be put back.
    renameSync(moved, dataDir);
    expect((await readyWithin(url, 200)).status).toBe(200);
    expect((await createOrg(url, 2)).status).toBe(201);
    expect(eventsIn(dataDir)).toBeGreaterThan(before);

    // Replaced by an empty folder of the same name (a restore that has not put the files in yet): not its log.
    renameSync(dataDir, moved);
    mkdirSync(dataDir);
    expect((await createOrg(url, 3)).status).toBe(503);
    expect((await send(url, 'GET', '/health/ready')).status).toBe(503);
    expect(readdirSync(dataDir)).toEqual([]);
    rmSync(dataDir, { recursive: true });
    renameSync(moved, dataDir);
    expect((await readyWithin(url, 200)).status).toBe(200);
  }, 60_000);

  it('stops cleanly on SIGTERM while DATA_DIR is away (its roles.lock went with it)', async () => {
    const away = ServerProcess.spawn({ DATA_DIR: join(parent, 'stopped'), BOOTSTRAP_TOKEN, JWT_SECRET: 'data-dir-moved-jwt-secret-of-32-bytes-at-least' });
    try {
      await away.listening();
      renameSync(join(parent, 'stopped'), join(parent, 'stopped.moved'));
      expect(await away.stopWith('SIGTERM', 10_000)).toBeLessThan(10_000);
      expect(await away.exitWithin(10_000)).toEqual({ code: 0, signal: null });
      expect(away.logLines.filter((line) => line.level >= 50)).toEqual([]);
    } finally {
      away.dispose();
    }
  }, 60_000);
});
