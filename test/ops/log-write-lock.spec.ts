import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerProcess } from './support/server-process';

const BOOTSTRAP_TOKEN = 'log-write-lock-bootstrap-token-of-32-bytes-at-least';

const createOrg = (url: string, i: number) =>
  fetch(`${url}/v1/orgs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `Org ${i}`, superAdmin: { agentId: `alice-${i}`, email: `alice${i}@example.com`, displayName: 'Alice' } }),
  });

/**
 * Another process holding the event log's write lock (a second server on the folder committing, an
 * operator's sqlite3 in a transaction): the server's appends wait for it without holding its event
 * loop, so every other request is answered meanwhile (SQLite's busy handler sleeps the thread).
 */
describe("the event log's write lock held by another process", () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-log-write-lock-'));
  let server: ServerProcess;
  afterAll(() => {
    server?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers /health/live while an append waits for the lock, and the append goes through once it is free', async () => {
    server = ServerProcess.spawn({ DATA_DIR: dataDir, BOOTSTRAP_TOKEN, JWT_SECRET: 'log-write-lock-jwt-secret-of-32-bytes-at-least' });
    const url = await server.listening();
    expect((await createOrg(url, 0)).status).toBe(201);

    const holder = new Database(join(dataDir, 'events.sqlite'));
    holder.exec('BEGIN IMMEDIATE');
    const order: string[] = [];
    const waiting = createOrg(url, 1).then((answer) => {
      order.push('org created');
      return answer.status;
    });
    // The POST has reached the append (and waits) once the holder sees it queued behind its lock:
    // give the request a moment to arrive, then ask for liveness while the lock is still held.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const live = await fetch(`${url}/health/live`);
    order.push(`live ${live.status}`);
    holder.exec('COMMIT');
    holder.close();

    expect(await waiting).toBe(201);
    expect(order).toEqual(['live 200', 'org created']);
  });
});
