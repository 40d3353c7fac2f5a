import Database from 'better-sqlite3';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mintAgentToken } from '../../src/auth/token-minter';
import { decode } from '../../src/domain/events/decode';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { checkpointOrigin, signCheckpoint, timestampLine } from '../../src/transparency/checkpoint';
import { eventLeafInput } from '../../src/transparency/event-leaf';
import { CHECKPOINT_SIGNED } from '../../src/transparency/log-checkpointer';
import { LOG_KEY_FILE } from '../../src/transparency/log-key';
import { CompactRange, leafHash } from '../../src/transparency/merkle-tree';
import { parseSignerKey } from '../../src/transparency/signed-note';
import { freePort } from '../notifications/support/redis-process';
import { waitFor } from '../notifications/support/wait-for';
import { ServerProcess } from '../ops/support/server-process';
import { call } from '../support/api-client';
import type { TestServer } from '../support/test-server';
import { loggedEvents } from './event-log';

/** The operator of a server in its own process, for the witness tests: starts, stops, and rewrites its log as one holding the log key can. */
const JWT_SECRET = 'witness-e2e-jwt-secret-of-at-least-32-bytes';
const BOOTSTRAP_TOKEN = 'witness-e2e-bootstrap-token-of-at-least-32-bytes';

/** A server in its own process on DATA_DIR `dataDir`, stopped and started again by the operator on the same port, with the log key of that DATA_DIR. */
export function operatedServer(dataDir: string) {
  let running: ServerProcess | undefined;
  // What Journey and call need of a server: its URL (the port stays the same across restarts), the bootstrap token and tokens.
  const server = {
    url: '',
    bootstrapToken: BOOTSTRAP_TOKEN,
    token: (orgId: string, agentId: string) => mintAgentToken(JWT_SECRET, { agentId, orgId }, 3600),
  } as unknown as TestServer;
  const start = async (env: Record<string, string> = {}) => {
    server.url ||= `http://127.0.0.1:${await freePort()}`;
    running = ServerProcess.spawn({ DATA_DIR: dataDir, PORT: new URL(server.url).port, JWT_SECRET, BOOTSTRAP_TOKEN, LOG_CHECKPOINT_DELAY_MS: '50', LOG_SELF_CHECK_INTERVAL_MS: '0', ...env });
    await running.listening(120_000);
    let ready: unknown;
    await waitFor('the server to be ready', async () => {
      const reply = await call(server, 'GET', '/health/ready');
      ready = reply.body;
      return reply.status === 200;
    }, 120_000).catch((error: Error) => Promise.reject(new Error(`${error.message}; readiness said ${JSON.stringify(ready)}`)));
  };
  const stop = async () => {
    expect(await running!.stopWith('SIGTERM', 30_000)).toBeLessThan(Infinity);
    running!.dispose();
    running = undefined;
  };
  /** Another process of the deployment on the same DATA_DIR and secrets (ROLES=api, say), on a port of its own; its dispose stops it. */
  const beside = async (env: Record<string, string>) => {
    const spawned = ServerProcess.spawn({ DATA_DIR: dataDir, JWT_SECRET, BOOTSTRAP_TOKEN, ...env });
    const other = { ...server, url: await spawned.listening(120_000) } as TestServer;
    return { server: other, dispose: () => spawned.dispose() };
  };
  return { server, start, stop, beside, dispose: () => running?.dispose() };
}

/**
 * The operator's rewrite, in a stopped server's files: `edit` changes rows of events.sqlite, then
 * every checkpoint of the org still in the log is signed anew over the log as it now is, at the
 * time `signedAt` gives for the one it had (its line's occurredAt moved with it; none: no timestamp line), and the read
 * models and the node store (unless `keepNodes`) are left to be rebuilt from it, so that the server agrees with itself.
 */
export async function rewriteLog(
  dataDir: string,
  orgId: string,
  edit: (db: Database.Database, events: Awaited<ReturnType<typeof loggedEvents>>) => void,
  signedAt = (at: Date): Date | undefined => at,
  { keepNodes = false } = {},
): Promise<void> {
  const db = new Database(join(dataDir, 'events.sqlite'));
  const store = new SqliteEventStore({ path: join(dataDir, 'events.sqlite') });
  try {
    const stopped = { eventStore: store } as unknown as TestServer;
    edit(db, await loggedEvents(stopped, orgId));
    const signer = parseSignerKey(readFileSync(join(dataDir, LOG_KEY_FILE), 'utf8'));
    const tree = CompactRange.empty();
    const roots = [tree.root()];
    for (const event of (await loggedEvents(stopped, orgId)).map((record) => decode(record))) {
      if (event.type !== CHECKPOINT_SIGNED) {
        tree.append(leafHash(eventLeafInput(event)));
        roots.push(tree.root());
        continue;
      }
      const { size } = event.data;
      const at = signedAt(new Date(event.metadata.occurredAt));
      const note = signCheckpoint({ origin: checkpointOrigin(signer.name, orgId), size, rootHash: roots[size], extensions: at ? [timestampLine(at)] : [] }, signer);
      db.prepare('UPDATE events SET data = json_set(data, ?, ?), metadata = json_set(metadata, ?, ?) WHERE position = ?').run('$.note', note, '$.occurredAt', (at ?? new Date(event.metadata.occurredAt)).toISOString(), event.position);
    }
  } finally {
    await store.close();
    db.close();
  }
  // And what the server derived from the log: its read models, and its node store, which keeps each org's latest checkpoint
  // it applied, whose note the rewrite changed (the server's check would name it).
  for (const file of ['read-models.sqlite', ...(keepNodes ? [] : ['merkle-nodes.sqlite'])]) for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `${file}${suffix}`), { force: true });
}

/** carol's email changed in her AgentAdded. */
export const carolRenamed = (db: Database.Database, events: Awaited<ReturnType<typeof loggedEvents>>): void => {
  const carol = events.find((event) => event.type === 'AgentAdded' && (event.data as { agentId: string }).agentId === 'carol')!;
  db.prepare('UPDATE events SET data = json_set(data, ?, ?) WHERE position = ?').run('$.email', 'mallory@example.com', carol.position);
};
