import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { OrgLog } from '../notifications/support/org-log';
import { waitFor } from '../notifications/support/wait-for';
import { ServerProcess } from '../ops/support/server-process';

const stalledGauge = async (url: string, follower: string): Promise<string | undefined> =>
  new RegExp(`^ztkeys_log_follower_stalled\\{follower="${follower}"\\} (\\d+)$`, 'm').exec(await (await fetch(`${url}/metrics`)).text())?.[1];

/**
 * A rolling upgrade as an operator meets it: the running server's log gets an event a newer
 * release wrote (a KeyRequested of schema version 2). The projector and the Merkle nodes'
 * follower must stop at it (skipping it would leave the read models and the trees wrong for
 * good), but the built server retried it for ever with a warning at each retry (the projector's
 * every second, the follower's throttled), and stayed ready with no metric saying so.
 */
describe('the projector meets an event a newer release wrote, on the built server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-stall-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says so once (error line naming position, type and version), turns not ready naming it, and sets a gauge', async () => {
    const server = ServerProcess.spawn({ DATA_DIR: dir });
    try {
      const url = await server.listening();
      await waitFor('ready', async () => (await fetch(`${url}/health/ready`)).status === 200, 30_000, () => server.stdout.slice(-2000));
      const events = new SqliteEventStore({ path: join(dir, 'events.sqlite') });
      let position: bigint;
      try {
        const acme = new OrgLog(events, 'acme');
        const { max } = await acme.pendingMemberRequest('Acme');
        const newer = await acme.request(max, undefined, 2);
        position = await (async () => {
          for (let at = 1n; ; at++) if ((await events.eventAt(at))?.id === newer.eventId) return at;
        })();
      } finally {
        await events.close();
      }
      const ready = await waitFor('not ready, naming both', async () => {
        const response = await fetch(`${url}/health/ready`);
        const body = await response.text();
        // Each follower meets it in its own time.
        return response.status === 503 && ['projector', 'Merkle nodes follower'].every((follower) => body.includes(`${follower} stalled`)) && body;
      }, 30_000, () => server.stdout.slice(-2000));
      for (const follower of ['projector', 'Merkle nodes follower']) expect(ready).toContain(`${follower} stalled at position ${position} (KeyRequested v2)`);
      expect(ready).toContain('written by a newer ztkeys (this release reads up to v1): run that release');
      expect({ projector: await stalledGauge(url, 'projector'), merkleNodes: await stalledGauge(url, 'merkle-nodes') }).toEqual({ projector: '1', merkleNodes: '1' });
      // Several retries (1 s apart) later, still one line about it.
      await new Promise((resolve) => setTimeout(resolve, 5000));
      // Their lines (not the notifier's, the self-check's or readiness's).
      const about = server.logLines.filter((line) => /^(project(or|ion)|Merkle nodes)/.test(line.msg ?? ''));
      const said = (follower: string) => ({ level: 50, msg: expect.stringMatching(new RegExp(`^${follower} stalled at position ${position} \\(KeyRequested v2\\): cannot decode event KeyRequested v2: written by a newer ztkeys .*: run that release, or restore the backup taken before upgrading; it waits there rather than skip it, and retries$`)) });
      expect(about.map(({ level, msg }) => ({ level, msg })).sort((a, b) => String(a.msg).localeCompare(String(b.msg)))).toEqual([said('Merkle nodes follower'), said('projector')]);
      expect(await server.stopWith('SIGTERM', 10_000)).toBeLessThan(10_000);
    } finally {
      server.dispose();
    }
  }, 120_000);
});
