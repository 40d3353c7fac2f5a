/**
 * An audit export does not hold the server: on a spawned server (its own process, as deployed)
 * whose client reads as fast as the bytes come, a health probe sent at the export's first bytes
 * is answered before its last. SQLite writes a page's lines on the API's thread, and with the
 * socket taking every write at once the stream never waited: the whole export ran before any
 * other request was read, until each page waited a turn of the event loop.
 */
import { get } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintAgentToken } from '../../src/auth/token-minter';
import { embeddedEventLogPath } from '../../src/event-store/open-event-store';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { appendAll, syntheticCommands } from '../read-models/fixtures/synthetic-log';
import { ServerProcess } from './support/server-process';

const JWT_SECRET = 'export-responsive-jwt-secret-of-32-bytes-at-least';
const SEED = 14;
const ORG = `org-${SEED}-0`;

describe('an audit export', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-export-'));
  let server: ServerProcess | undefined;
  afterAll(() => {
    server?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lets the server answer other requests while it streams', async () => {
    const log = new SqliteEventStore({ path: embeddedEventLogPath(dataDir) });
    // One org, some 20 pages of the export (1,000 entries a page): with a page not waiting its turn (the bug), 20 still ran whole before the probe was read (twice; 10 did not).
    await appendAll(log, syntheticCommands({ orgs: 1, agentsPerOrg: 30, commands: 20_000, seed: SEED }));
    await log.close();
    server = ServerProcess.spawn({ DATA_DIR: dataDir, JWT_SECRET });
    const url = await server.listening(60_000);
    const token = await mintAgentToken(JWT_SECRET, { agentId: `${ORG}.root`, orgId: ORG }, 600);
    // The org's roles come from the read models: wait until the projector has them.
    for (let status = 0; status !== 200; ) {
      status = (await fetch(`${url}/v1/orgs/${ORG}/audit-log?limit=1`, { headers: { authorization: `Bearer ${token}` } })).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const order: string[] = [];
    await new Promise<void>((resolve, reject) => {
      get(`${url}/v1/orgs/${ORG}/audit-log/export`, { headers: { authorization: `Bearer ${token}` } }, (response) => {
        // Refused here rather than thrown in the callback, where it would leave the test waiting.
        if (response.statusCode !== 200) return reject(new Error(`export: ${response.statusCode}`));
        response.once('data', () => {
          fetch(`${url}/health/live`).then(
            (live) => order.push(`live ${live.status}`),
            (error: unknown) => reject(error as Error),
          );
        });
        response.on('data', () => undefined);
        response.on('end', () => {
          order.push('export ended');
          resolve();
        });
        response.on('error', reject);
      }).on('error', reject);
    });
    expect(order[0]).toBe('live 200');
  }, 180_000);
});
