import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { projectedModels } from '../../src/read-models/projected-models';
import { SqliteReadModelStore } from '../../src/read-models/sqlite/sqlite-read-model-store';
import { waitFor } from '../notifications/support/wait-for';
import { appendAll, syntheticCommands } from '../read-models/fixtures/synthetic-log';
import { ServerProcess } from './support/server-process';

/**
 * A data folder whose log holds thousands of events and whose read models are missing (lost,
 * restored from an older backup, rebuilt by a new version): until the read models have caught up
 * with the log, their reads answer from part of it, so the instance must not be ready.
 */
describe('readiness while the read models catch up with the log', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-catch-up-'));
  const eventLogPath = join(dataDir, 'events.sqlite');
  const readModelsPath = join(dataDir, 'read-models.sqlite');
  const started: ServerProcess[] = [];
  const spawn = (env: Record<string, string>): ServerProcess => {
    const server = ServerProcess.spawn({ DATA_DIR: dataDir, ...env });
    started.push(server);
    return server;
  };
  afterAll(() => {
    started.forEach((server) => server.dispose());
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Appends a seeded log's commands with the server's own adapter; returns the head. */
  const writeLog = async (commands: number, seed: number): Promise<bigint> => {
    const events = new SqliteEventStore({ path: eventLogPath });
    try {
      await appendAll(events, syntheticCommands({ orgs: 3, agentsPerOrg: 40, commands, seed }));
      return (await events.headPosition())!;
    } finally {
      await events.close();
    }
  };

  /** Each read model fed from the log (the embedded audit trail is the log) and its checkpoint, as the file holds them now. */
  const checkpoints = async (): Promise<Array<[string, bigint | undefined]>> => {
    const store = new SqliteReadModelStore({ path: readModelsPath, eventLogPath });
    try {
      return await Promise.all(projectedModels(store).map(async ({ name }) => [name, await store.checkpoint(name)] as [string, bigint | undefined]));
    } finally {
      await store.close();
    }
  };
  const behind = async (head: bigint): Promise<string[]> => (await checkpoints()).filter(([, at]) => at === undefined || at < head).map(([name]) => name);
  const get = async (url: string): Promise<{ status: number; type: string | null; body: Record<string, any> }> => {
    const reply = await fetch(url);
    return { status: reply.status, type: reply.headers.get('content-type'), body: (await reply.json()) as Record<string, any> };
  };

  it('an API process is not ready (503 naming how far each read model is behind; live) until a projector has caught them up, then stays ready while they lag again', async () => {
    const head = await writeLog(2000, 7);
    // ROLES=api projects nothing (at scale the projector runs elsewhere): the read models stay behind for certain.
    const api = spawn({ ROLES: 'api' });
    const url = await api.listening();
    const notReady = await get(`${url}/health/ready`);
    expect(await behind(head)).not.toEqual([]);
    expect(notReady.status).toBe(503);
    expect(notReady.type).toMatch(/^application\/problem\+json/);
    expect(notReady.body).toMatchObject({ code: 'NOT_READY', checks: { readModels: { status: 'down' }, eventStore: { status: 'up' } } });
    expect(notReady.body.detail).toMatch(new RegExp(`^Not ready: readModels \\(catching up with the log up to position ${head}: pending-keys at its start \\(1000\\+ events behind\\), org-status at its start \\(1000\\+ events behind\\), `));
    expect((await get(`${url}/health/live`)).status).toBe(200);

    const projector = spawn({ ROLES: 'projector' });
    await projector.listening();
    // Every answer before the first 200 is the same 503, and a 200 only comes once every read model holds the head.
    await waitFor('the read models to catch up', async () => {
      const ready = await get(`${url}/health/ready`);
      if (ready.status !== 200) {
        expect(ready.body.checks.readModels.status).toBe('down');
        expect((await get(`${url}/health/live`)).status).toBe(200);
        return false;
      }
      return true;
    });
    expect(await behind(head)).toEqual([]);

    // After the first catch-up, a lag (here: no projector at all while the log grows) is X-Min-Position's and the lag metrics', not readiness's.
    expect(await projector.stopWith('SIGTERM', 10_000)).toBeLessThan(10_000);
    const grown = await writeLog(200, 8);
    expect(await behind(grown)).not.toEqual([]);
    expect((await get(`${url}/health/ready`)).status).toBe(200);

    expect(api.logLines.filter((line) => line.context === 'Readiness').map((line) => [line.level, line.msg])).toEqual([
      [40, expect.stringMatching(new RegExp(`^not ready: readModels \\(catching up with the log up to position ${head}: pending-keys at its start \\(1000\\+ events behind\\), .*\\) down$`))],
      [30, 'ready: readModels up'],
    ]);
    expect(await api.stopWith('SIGTERM', 10_000)).toBeLessThan(10_000);
  }, 60_000);

  it('the whole server started with its read-model file removed answers 200 only once every read model has caught up', async () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${readModelsPath}${suffix}`, { force: true });
    const head = await writeLog(2000, 9);
    const server = spawn({});
    const url = await server.listening();
    const seen: number[] = [];
    await waitFor('readiness', async () => {
      const { status } = await get(`${url}/health/ready`);
      seen.push(status);
      // Checkpoints only move forward: behind after the 200, it was behind when it answered.
      if (status === 200) expect(await behind(head)).toEqual([]);
      return status === 200;
    });
    expect(seen.slice(0, -1).every((status) => status === 503)).toBe(true);
    expect(await server.stopWith('SIGTERM', 10_000)).toBeLessThan(10_000);
  }, 60_000);
});
