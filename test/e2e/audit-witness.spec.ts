import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintAgentToken } from '../../src/auth/token-minter';
import { EXIT } from '../../src/cli/exit-codes';
import { ProfileStore } from '../../src/cli/profile-store';
import { decode } from '../../src/domain/events/decode';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { checkpointOrigin, parseCheckpoint, signCheckpoint, timestampLine } from '../../src/transparency/checkpoint';
import { eventLeafInput } from '../../src/transparency/event-leaf';
import { CHECKPOINT_SIGNED } from '../../src/transparency/log-checkpointer';
import { LOG_KEY_FILE } from '../../src/transparency/log-key';
import { CompactRange, leafHash } from '../../src/transparency/merkle-tree';
import { parseNote, parseSignerKey } from '../../src/transparency/signed-note';
import { runInHome } from '../cli/support/run-in-home';
import { freePort } from '../notifications/support/redis-process';
import { waitFor } from '../notifications/support/wait-for';
import { ServerProcess } from '../ops/support/server-process';
import { call, Journey, type TestAgent } from '../support/api-client';
import type { TestServer } from '../support/test-server';
import { loggedEvents } from './event-log';
import { signedLog } from './signed-export';

jest.setTimeout(240_000);

const JWT_SECRET = 'witness-e2e-jwt-secret-of-at-least-32-bytes';
const BOOTSTRAP_TOKEN = 'witness-e2e-bootstrap-token-of-at-least-32-bytes';

const sizeOf = (note: string): number => parseCheckpoint(parseNote(note).text).size;

/**
 * The CLI's witness against the built server in its own process (R16, issue 11 item 5): the CLI
 * keeps the checkpoint it saw; an honest extension moves it on; then the operator, holding the
 * log key, rewrites an old event in the SQLite file and signs every checkpoint anew so that the
 * server's own check finds nothing, and restarts. The next `audit` command refuses with exit 7,
 * and `audit verify --trusted-checkpoint` refuses the forked export with exit 7 too.
 */
describe('the CLI witness against a server that rewrote its history', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-witness-'));
  const home = mkdtempSync(join(tmpdir(), 'ztkeys-witness-home-'));
  let running: ServerProcess | undefined;
  // What Journey and call need of a server: its URL (the port stays the same across restarts), the bootstrap token and tokens.
  const server = {
    url: '',
    bootstrapToken: BOOTSTRAP_TOKEN,
    token: (orgId: string, agentId: string) => mintAgentToken(JWT_SECRET, { agentId, orgId }, 3600),
  } as unknown as TestServer;
  let admin: TestAgent;

  const start = async () => {
    running = ServerProcess.spawn({ DATA_DIR: dataDir, PORT: new URL(server.url).port, JWT_SECRET, BOOTSTRAP_TOKEN, LOG_CHECKPOINT_DELAY_MS: '50', LOG_SELF_CHECK_INTERVAL_MS: '0' });
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

  const ztkeys = (...argv: string[]) => runInHome(home, argv);
  const saved = () => new ProfileStore(home).lastCheckpoint(server.url, admin.orgId);
  /** The org's checkpoint once it signs every event of the org. */
  const signedAll = async () => (await signedLog(server, admin)).note;

  beforeAll(async () => {
    server.url = `http://127.0.0.1:${await freePort()}`;
    await start();
    const journey = new Journey(server);
    admin = await journey.createOrg('alice');
    await journey.addAgent(admin, 'bob');
    await journey.addAgent(admin, 'carol');
    new ProfileStore(home).save('default', { apiUrl: server.url, token: admin.token, orgId: admin.orgId, agentId: admin.agentId });
  });
  afterAll(() => {
    running?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  it('saves the checkpoint it sees, and moves it on when the log honestly grows', async () => {
    const first = await signedAll();
    const exported = await ztkeys('audit', 'export');
    expect(exported).toMatchObject({ code: EXIT.OK, stderr: '' });
    expect(saved()).toEqual({ vkey: (await call<string>(server, 'GET', '/v1/log-key')).body.trim(), note: first });

    await new Journey(server).addAgent(admin, 'dave');
    const grown = await signedAll();
    expect(sizeOf(grown)).toBe(sizeOf(first) + 1);
    expect((await ztkeys('audit', 'export')).code).toBe(EXIT.OK);
    expect(saved()?.note).toBe(grown);
  });

  it('refuses with exit 7, naming both sizes and roots, once the operator rewrote an old event and signed the forked log anew', async () => {
    const seen = saved()!.note;
    const seenRoot = parseCheckpoint(parseNote(seen).text).rootHash.toString('base64');
    await stop();

    // The operator's rewrite, in the stopped server's files: carol's email changed, every checkpoint of the org signed over it.
    const db = new Database(join(dataDir, 'events.sqlite'));
    const events = new SqliteEventStore({ path: join(dataDir, 'events.sqlite') });
    try {
      const stopped = { eventStore: events } as unknown as TestServer;
      const carol = (await loggedEvents(stopped, admin.orgId)).find((event) => event.type === 'AgentAdded' && (event.data as { agentId: string }).agentId === 'carol')!;
      db.prepare('UPDATE events SET data = json_set(data, ?, ?) WHERE position = ?').run('$.email', 'mallory@example.com', carol.position);
      const signer = parseSignerKey(readFileSync(join(dataDir, LOG_KEY_FILE), 'utf8'));
      const tree = CompactRange.empty();
      const roots = [tree.root()];
      for (const event of (await loggedEvents(stopped, admin.orgId)).map((record) => decode(record))) {
        if (event.type !== CHECKPOINT_SIGNED) {
          tree.append(leafHash(eventLeafInput(event)));
          roots.push(tree.root());
          continue;
        }
        const { size } = event.data;
        const note = signCheckpoint({ origin: checkpointOrigin(signer.name, admin.orgId), size, rootHash: roots[size], extensions: [timestampLine(new Date(event.metadata.occurredAt))] }, signer);
        db.prepare('UPDATE events SET data = json_set(data, ?, ?) WHERE position = ?').run('$.note', note, event.position);
      }
    } finally {
      await events.close();
      db.close();
    }
    // ...and the read models rebuilt from the rewritten log, so that the server agrees with itself.
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `read-models.sqlite${suffix}`), { force: true });
    await start();
    const forkedHead = await signedAll();
    expect(sizeOf(forkedHead)).toBe(sizeOf(seen));
    expect(forkedHead).not.toBe(seen);

    const refused = await ztkeys('audit', 'export');
    expect(refused.code).toBe(EXIT.FORKED);
    expect(refused.stdout).toBe('');
    const forkedRoot = parseCheckpoint(parseNote(forkedHead).text).rootHash.toString('base64');
    expect(refused.stderr).toContain(
      `REFUSED: the server's log (size ${sizeOf(forkedHead)}, root ${forkedRoot}) is not an extension of the one this CLI saw (size ${sizeOf(seen)}, root ${seenRoot}): its history was rewritten or forked.`,
    );
    expect(saved()?.note).toBe(seen); // the witness keeps what it saw, and refuses again next time
    expect((await ztkeys('audit', 'export')).code).toBe(EXIT.FORKED);
  });

  it('audit verify: the forked export verifies alone, but exits 7 against the checkpoint saved before the rewrite', async () => {
    const work = mkdtempSync(join(tmpdir(), 'ztkeys-witness-files-'));
    try {
      const forked = join(work, 'forked.ndjson');
      writeFileSync(forked, String((await call(server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/export`, admin.token)).body));
      const trusted = join(work, 'saved.checkpoint');
      writeFileSync(trusted, saved()!.note);
      const vkey = saved()!.vkey;
      expect((await ztkeys('audit', 'verify', forked, '--log-key', vkey)).code).toBe(EXIT.OK);
      const refused = await ztkeys('audit', 'verify', forked, '--log-key', vkey, '--trusted-checkpoint', trusted);
      expect(refused.code).toBe(EXIT.FORKED);
      expect(refused.stderr).toMatch(/is FORKED: it does not extend the trusted checkpoint\. First problem at line \d+ .*not an extension of the trusted checkpoint: at size \d+ its root is \S+, the saved checkpoint says \S+ \(history was rewritten\)/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
