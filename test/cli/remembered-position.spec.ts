import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { ProfileStore } from '../../src/cli/profile-store';
import { serverForSuite } from '../support/server-for-suite';
import { CLI_BUILT, runProcess } from './support/cli-process';

jest.setTimeout(60_000);

/** Past the end of any log this suite's server writes. */
const PAST_THE_LOG = '99999999999';

/**
 * profiles.json remembers, per server URL, the last position a command answered, and reads wait for
 * it (X-Min-Position). A position past the end of that server's log, remembered from an answer that
 * was not its own (a man in the middle on plain HTTP, another server once at that address) or
 * before it was restored from an older copy, is refused on every read (400 INVALID_MIN_POSITION):
 * nothing the user could do but log in again, which nothing told them.
 */
describe('a remembered position past the end of the log (built CLI, real server)', () => {
  const suite = serverForSuite();
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'ztkeys-position-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const ztkeys = (args: string[]) => runProcess(CLI_BUILT, args, { env: { PATH: process.env.PATH, ZTKEYS_HOME: home } });

  it('is forgotten, with a warning, and the read answered; a later write is remembered again', async () => {
    const alice = await suite.journey.createOrg('alice');
    const store = new ProfileStore(home);
    store.save('default', { apiUrl: suite.server.url, token: alice.token, orgId: alice.orgId, agentId: 'alice' });
    store.recordPosition(suite.server.url, PAST_THE_LOG);

    const read = await ztkeys(['status']);
    expect(read).toMatchObject({
      code: EXIT.OK,
      stderr: `warning: This machine remembered position ${PAST_THE_LOG} as written at ${suite.server.url}, past the end of its log: forgotten. The server may have been restored from an older copy, or an earlier answer from its address was not its own.\n`,
    });
    expect(read.stdout).toMatch(/alice/);
    expect(store.lastPosition(suite.server.url)).toBeUndefined();

    expect((await ztkeys(['agents', 'add', 'bob', '--email', 'bob@example.com', '--name', 'Bob'])).code).toBe(EXIT.OK);
    expect(BigInt(store.lastPosition(suite.server.url)!)).toBeLessThan(BigInt(PAST_THE_LOG));
    expect(await ztkeys(['status'])).toMatchObject({ code: EXIT.OK, stderr: '' });
  });

  it('is none when it is no position (a hostile answer\'s 20,000 digits, remembered by a release before): every read was a 431, for good; and such an answer is not remembered', async () => {
    const alice = await suite.journey.createOrg('alice');
    const store = new ProfileStore(home);
    store.save('default', { apiUrl: suite.server.url, token: alice.token, orgId: alice.orgId, agentId: 'alice' });
    const poisoned = '9'.repeat(20_000);
    const path = join(home, 'profiles.json');
    const document = JSON.parse(readFileSync(path, 'utf8')) as { positions: Record<string, string> };
    writeFileSync(path, JSON.stringify({ ...document, positions: { [suite.server.url]: poisoned } }));

    expect(await ztkeys(['status'])).toMatchObject({ code: EXIT.OK, stderr: '' });
    expect((await ztkeys(['agents', 'add', 'bob', '--email', 'bob@example.com', '--name', 'Bob'])).code).toBe(EXIT.OK);
    expect(store.lastPosition(suite.server.url)).toMatch(/^\d{1,19}$/);
    store.recordPosition(suite.server.url, poisoned);
    expect(store.lastPosition(suite.server.url)).not.toBe(poisoned);
  });

  it('is still refused when given with --min-position: the user named it', async () => {
    const alice = await suite.journey.createOrg('alice');
    new ProfileStore(home).save('default', { apiUrl: suite.server.url, token: alice.token, orgId: alice.orgId, agentId: 'alice' });
    const read = await ztkeys(['status', '--min-position', PAST_THE_LOG]);
    expect(read).toMatchObject({ code: EXIT.REFUSED, stderr: expect.stringContaining('code: INVALID_MIN_POSITION') });
  });
});
