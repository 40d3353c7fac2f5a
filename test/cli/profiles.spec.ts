import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { ProfileStore } from '../../src/cli/profile-store';
import { serverForSuite } from '../support/server-for-suite';
import { CLI_BUILT, REPO_ROOT, runProcess } from './support/cli-process';

jest.setTimeout(60_000);

/** A token as the CLI reads it (claims only; the server, not the CLI, checks signatures). */
const tokenFor = (agentId: string, orgId: string, exp: number) =>
  ['{"alg":"HS256"}', JSON.stringify({ sub: agentId, org: orgId, exp })].map((part) => Buffer.from(part).toString('base64url')).join('.') + '.sig';
const HOUR_FROM_NOW = Math.floor(Date.now() / 1000) + 3600;

/** --version, whoami, profile list/use, login's refusal to replace another agent's profile, expired tokens, --json=fields. */
describe('ztkeys profiles and scripting (real processes)', () => {
  let home: string;
  const ztkeys = (args: string[], env: Record<string, string> = {}) => runProcess(CLI_BUILT, args, { env: { PATH: process.env.PATH, ZTKEYS_HOME: home, ...env } });

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'ztkeys-profiles-'));
    const store = new ProfileStore(home);
    store.save('alice', { apiUrl: 'http://127.0.0.1:9', token: tokenFor('alice', 'org-1', HOUR_FROM_NOW), orgId: 'org-1', agentId: 'alice' });
    store.save('bob', { apiUrl: 'http://127.0.0.1:9', token: tokenFor('bob', 'org-1', HOUR_FROM_NOW), orgId: 'org-1', agentId: 'bob' });
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('prints its version from package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await ztkeys(['--version'])).toMatchObject({ code: EXIT.OK, stdout: `ztkeys ${version}\n` });
  });

  it('lists profiles, switches the default with profile use, and whoami shows the selected one', async () => {
    expect((await ztkeys(['whoami'])).stderr).toMatch(/Not logged in \(profile "default"\)/);
    const used = await ztkeys(['profile', 'use', 'bob']);
    expect(used).toMatchObject({ code: EXIT.OK, stdout: 'Now using profile "bob": bob in org org-1 at http://127.0.0.1:9.\n' });
    expect((await ztkeys(['whoami'])).stdout).toMatch(/^bob in org org-1 at http:\/\/127\.0\.0\.1:9\n {2}profile {8}bob\n/);
    expect(JSON.parse((await ztkeys(['whoami', '--profile', 'alice', '--json'])).stdout)).toMatchObject({ profile: 'alice', agentId: 'alice', expired: false });
    const list = await ztkeys(['profile', 'list']);
    expect(list.stdout.split('\n')[2]).toMatch(/^\* {2}bob {6}bob {4}org-1 {2}http:\/\/127\.0\.0\.1:9 {2}20/);
    expect(await ztkeys(['profile', 'use', 'carol'])).toMatchObject({ code: EXIT.USAGE, stderr: 'ztkeys: No profile "carol": the profiles are alice, bob.\n' });
  });

  it('takes an empty or blank ZTKEYS_PROFILE as unset (a script\'s ZTKEYS_PROFILE=$P with P unset), and names the variable when its name is wrong', async () => {
    await ztkeys(['profile', 'use', 'bob']);
    for (const blank of ['', ' '])
      expect(await ztkeys(['whoami'], { ZTKEYS_PROFILE: blank })).toMatchObject({ code: EXIT.OK, stdout: expect.stringMatching(/^bob in org org-1 /) });
    // It said 'Profile name "" is not valid', to someone who gave no profile name.
    expect(await ztkeys(['whoami'], { ZTKEYS_PROFILE: 'a b' })).toMatchObject({
      code: EXIT.USAGE,
      stderr: 'ztkeys: ZTKEYS_PROFILE: Profile name "a b" is not valid: use 1 to 64 letters, digits, ".", "_" or "-".\n',
    });
    expect((await ztkeys(['whoami', '--profile', 'alice'], { ZTKEYS_PROFILE: 'a b' })).stdout).toMatch(/^alice in org org-1 /);
  });

  it('selects fields of a --json result, and names the ones there are when a field is unknown', async () => {
    const list = await ztkeys(['profile', 'list', '--json=profile,agentId']);
    expect(JSON.parse(list.stdout)).toEqual([
      { profile: 'alice', agentId: 'alice' },
      { profile: 'bob', agentId: 'bob' },
    ]);
    expect(JSON.parse((await ztkeys(['whoami', '--profile', 'bob', '--json=orgId'])).stdout)).toEqual({ orgId: 'org-1' });
    const unknown = await ztkeys(['whoami', '--profile', 'bob', '--json=nope']);
    expect(unknown.code).toBe(EXIT.USAGE);
    expect(unknown.stderr).toMatch(/no field nope; available: agentId, apiUrl, current, expired, orgId, profile, tokenExpiresAt/);
  });

  it('an expired token gets exit 8 and says how to log in again', async () => {
    new ProfileStore(home).save('alice', { apiUrl: 'http://127.0.0.1:9', token: tokenFor('alice', 'org-1', 1_700_000_000), orgId: 'org-1', agentId: 'alice' });
    const whoami = await ztkeys(['whoami', '--profile', 'alice']);
    expect(whoami.code).toBe(EXIT.TOKEN_EXPIRED);
    expect(whoami.stderr).toBe(
      'ztkeys: The agent token of profile "alice" (alice) expired at 2023-11-14T22:13:20.000Z: get a new one and run "ztkeys login --api http://127.0.0.1:9 --profile alice".\n',
    );
    expect((await ztkeys(['keys', 'pending', '--profile', 'alice'])).code).toBe(EXIT.TOKEN_EXPIRED);
  });

  it('a ZTKEYS_HOME it cannot write to is a usage error naming the path and why, without a stack', async () => {
    writeFileSync(join(home, 'keys'), 'a file where the keys folder should be');
    const result = await runProcess(CLI_BUILT, ['keys', 'create', '--profile', 'alice', '--passphrase-fd', '3'], {
      env: { PATH: process.env.PATH, ZTKEYS_HOME: home },
      fd3: 'correct horse battery staple\n',
    });
    expect(result.code).toBe(EXIT.USAGE);
    expect(result.stderr).toMatch(new RegExp(`^ztkeys: Cannot write .*${join(home, 'keys')}.* \\(ENOTDIR: not a directory\\)\\. Check ZTKEYS_HOME, the folder ztkeys keeps its profiles and keys in\\.\\n$`));
  });

  it("login reads the token from a file, and never replaces another agent's profile without --force", async () => {
    const tokenFile = join(home, 'carol.token');
    writeFileSync(tokenFile, `${tokenFor('carol', 'org-1', HOUR_FROM_NOW)}\n`, { mode: 0o600 });
    const refused = await ztkeys(['login', '--api', 'http://127.0.0.1:9', '--profile', 'bob', '--token-file', tokenFile]);
    expect(refused.code).toBe(EXIT.USAGE);
    expect(refused.stderr).toMatch(/Profile "bob" holds bob of org org-1 at http:\/\/127\.0\.0\.1:9; nothing was changed\. Log in with --profile <name> \(for example --profile carol\), or add --force/);
    expect(new ProfileStore(home).get('bob')?.agentId).toBe('bob');
    // With --force it goes on to check the token with the server (none listens on port 9).
    expect((await ztkeys(['login', '--api', 'http://127.0.0.1:9', '--profile', 'bob', '--token-file', tokenFile, '--force'])).code).toBe(EXIT.SERVER);
    expect(await ztkeys(['login', '--api', 'http://127.0.0.1:9', '--token-file', tokenFile, '--token-fd', '3'])).toMatchObject({
      code: EXIT.USAGE,
      stderr: 'ztkeys: Give --token-fd or --token-file, not both.\n',
    });
  });

  it.each([
    ['..', '..'],
    ['org-1', '../..'],
    ['.', 'carol'],
  ])('refuses a token naming org "%s" and agent "%s": no ids the server gives, and keys are filed under them (".." twice: outside ZTKEYS_HOME)', async (orgId, agentId) => {
    const tokenFile = join(home, 'odd.token');
    writeFileSync(tokenFile, tokenFor(agentId, orgId, HOUR_FROM_NOW), { mode: 0o600 });
    const refused = await ztkeys(['login', '--api', 'http://127.0.0.1:9', '--profile', 'odd', '--token-file', tokenFile]);
    expect(refused.code).toBe(EXIT.USAGE);
    expect(refused.stderr).toMatch(/^ztkeys: This token's claims "org" and "sub" are no organization and agent ids: /);
    expect(new ProfileStore(home).get('odd')).toBeUndefined();
  });

  it('files no key under a profile whose ids could name another folder (profiles.json written by hand or by an older version)', async () => {
    new ProfileStore(home).save('odd', { apiUrl: 'http://127.0.0.1:9', token: tokenFor('alice', 'org-1', HOUR_FROM_NOW), orgId: '..', agentId: '..' });
    const result = await runProcess(CLI_BUILT, ['keys', 'create', '--profile', 'odd', '--passphrase-fd', '3'], {
      env: { PATH: process.env.PATH, ZTKEYS_HOME: home },
      fd3: 'correct horse battery staple\n',
    });
    expect(result.code).toBe(EXIT.USAGE);
    expect(result.stderr).toMatch(/^ztkeys: The profile names org "\.\." and agent "\.\.", which are no ids the server gives: keys are filed under them\. Log in again/);
    expect(existsSync(join(home, '..', 'index.json'))).toBe(false);
  });

  it('refuses plain HTTP to another machine, where the token would cross the network in clear, unless --plain-http (then it warns)', async () => {
    const tokenFile = join(home, 'carol.token');
    writeFileSync(tokenFile, `${tokenFor('carol', 'org-1', HOUR_FROM_NOW)}\n`, { mode: 0o600 });
    expect(await ztkeys(['login', '--api', 'http://192.0.2.1:9', '--profile', 'carol', '--token-file', tokenFile])).toMatchObject({
      code: EXIT.USAGE,
      stderr:
        'ztkeys: http://192.0.2.1:9 is plain HTTP to another machine: your token and what you sign would travel unencrypted. Use its https:// URL, or add --plain-http on a network that is yours alone.\n',
    });
    expect(new ProfileStore(home).get('carol')).toBeUndefined();
    // With --plain-http the URL passes, with a warning; this login then stops at the profile bob holds, before any request.
    const allowed = await ztkeys(['login', '--api', 'http://192.0.2.1:9', '--profile', 'bob', '--token-file', tokenFile, '--plain-http']);
    expect(allowed.code).toBe(EXIT.USAGE);
    expect(allowed.stderr).toMatch(/^warning: http:\/\/192\.0\.2\.1:9 is plain HTTP: tokens and decisions travel unencrypted\. Use HTTPS outside this machine\.\nztkeys: Profile "bob" holds/);
  });

  it('refuses a server URL holding a user name or password, before any request, and never shows the password', async () => {
    const tokenFile = join(home, 'carol.token');
    writeFileSync(tokenFile, `${tokenFor('carol', 'org-1', HOUR_FROM_NOW)}\n`, { mode: 0o600 });
    for (const args of [
      ['login', '--api', 'https://carol:s3cret-pw@127.0.0.1:9', '--profile', 'carol', '--token-file', tokenFile],
      ['org', 'create', '--api', 'http://carol:s3cret-pw@127.0.0.1:9', '--name', 'Acme', '--admin-id', 'carol', '--admin-email', 'carol@example.com', '--admin-name', 'Carol', '--bootstrap-token-file', tokenFile],
    ]) {
      const refused = await ztkeys(args);
      expect(refused).toMatchObject({ code: EXIT.USAGE, stdout: '' });
      expect(refused.stderr).toMatch(/^ztkeys: --api takes the server base URL without a user name or password \(https?:\/\/127\.0\.0\.1:9\): ztkeys signs in with your agent token alone\.\n$/);
    }
    expect(new ProfileStore(home).get('carol')).toBeUndefined();
  });

  it('never shows a token holding a character no bearer token holds (a second line, a control), and sends nothing with it (exit 2)', async () => {
    const token = tokenFor('carol', 'org-1', HOUR_FROM_NOW);
    const tokenFile = join(home, 'two-lines.token');
    // Two tokens given as one (cat a.token b.token > token): one trailing newline is dropped, the one between them is not.
    writeFileSync(tokenFile, `${token}\n${tokenFor('dave', 'org-1', HOUR_FROM_NOW)}\n`, { mode: 0o600 });
    const bootstrap = join(home, 'bootstrap.token');
    writeFileSync(bootstrap, 'bootstrap-secret-1234\nbootstrap-secret-5678\n', { mode: 0o600 });
    new ProfileStore(home).save('broken', { apiUrl: 'http://127.0.0.1:9', token: `${token}\u0001`, orgId: 'org-1', agentId: 'carol' });
    for (const [args, env] of [
      [['login', '--api', 'http://127.0.0.1:9', '--profile', 'carol', '--token-file', tokenFile], {}],
      [['login', '--api', 'http://127.0.0.1:9', '--profile', 'carol'], { ZTKEYS_TOKEN: `${token}\u0007` }],
      [['org', 'create', '--api', 'http://127.0.0.1:9', '--name', 'Acme', '--admin-id', 'carol', '--admin-email', 'carol@example.com', '--admin-name', 'Carol', '--bootstrap-token-file', bootstrap], {}],
      [['status', '--profile', 'broken'], {}],
    ] as const) {
      const refused = await ztkeys([...args], env);
      expect(refused).toMatchObject({ code: EXIT.USAGE, stdout: '' });
      expect(refused.stderr).toMatch(/^ztkeys: The token holds (a line feed|U\+0001|U\+0007) at character \d+, which no bearer token holds: it is not sent, nor shown here\. /);
      expect(refused.stderr).not.toMatch(/\.sig|bootstrap-secret/);
    }
    expect(new ProfileStore(home).get('carol')).toBeUndefined();
  });

  it('takes a blank ZTKEYS_HOME as unset, as an empty one: it named a folder " " under wherever ztkeys runs', async () => {
    const user = mkdtempSync(join(tmpdir(), 'ztkeys-user-'));
    try {
      new ProfileStore(join(user, '.config', 'ztkeys')).save('default', { apiUrl: 'http://127.0.0.1:9', token: tokenFor('carol', 'org-1', HOUR_FROM_NOW), orgId: 'org-1', agentId: 'carol' });
      for (const blank of ['', ' '])
        expect(await runProcess(CLI_BUILT, ['whoami'], { env: { PATH: process.env.PATH, HOME: user, ZTKEYS_HOME: blank } })).toMatchObject({ code: EXIT.OK, stdout: expect.stringMatching(/^carol in org org-1/) });
    } finally {
      rmSync(user, { recursive: true, force: true });
    }
  });

  it('takes the home from HOME, not from an XDG_CONFIG_HOME that is a relative path (which the XDG spec says to ignore): it would name a folder under wherever ztkeys runs', async () => {
    const user = mkdtempSync(join(tmpdir(), 'ztkeys-user-'));
    try {
      new ProfileStore(join(user, '.config', 'ztkeys')).save('default', { apiUrl: 'http://127.0.0.1:9', token: tokenFor('carol', 'org-1', HOUR_FROM_NOW), orgId: 'org-1', agentId: 'carol' });
      const env = { PATH: process.env.PATH, HOME: user, XDG_CONFIG_HOME: 'config' };
      expect(await runProcess(CLI_BUILT, ['whoami'], { env })).toMatchObject({ code: EXIT.OK, stdout: expect.stringMatching(/^carol in org org-1/) });
    } finally {
      rmSync(user, { recursive: true, force: true });
    }
  });

  it.each(['constructor', '__proto__', 'toString'])('refuses a profile named %s, which every object has, and never takes it for a profile', async (name) => {
    const tokenFile = join(home, 'carol.token');
    writeFileSync(tokenFile, `${tokenFor('carol', 'org-1', HOUR_FROM_NOW)}\n`, { mode: 0o600 });
    const refused = { code: EXIT.USAGE, stdout: '', stderr: `ztkeys: Profile name "${name}" is reserved: choose another.\n` };
    expect(await ztkeys(['login', '--api', 'http://127.0.0.1:9', '--profile', name, '--token-file', tokenFile, '--force'])).toMatchObject(refused);
    expect(await ztkeys(['whoami'], { ZTKEYS_PROFILE: name })).toMatchObject({ ...refused, stderr: `ztkeys: ZTKEYS_PROFILE: Profile name "${name}" is reserved: choose another.\n` });
    expect(await ztkeys(['profile', 'use', name])).toMatchObject({ code: EXIT.USAGE, stderr: `ztkeys: No profile "${name}": the profiles are alice, bob.\n` });
    expect((await ztkeys(['whoami'])).stderr).toMatch(/Not logged in \(profile "default"\)/);
  });
});

describe('several ztkeys at once in one home (built CLI, real server)', () => {
  const suite = serverForSuite();
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'ztkeys-at-once-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('twelve logins at once keep twelve profiles: none writes over what another just wrote', async () => {
    const alice = await suite.journey.createOrg('alice');
    const agents = await Promise.all(Array.from({ length: 12 }, (_, i) => suite.journey.addAgent(alice, `agent-${i}`)));
    const results = await Promise.all(
      agents.map((agent) =>
        runProcess(CLI_BUILT, ['login', '--api', suite.server.url, '--profile', agent.agentId, '--token-fd', '3'], { env: { PATH: process.env.PATH, ZTKEYS_HOME: home }, fd3: agent.token }),
      ),
    );
    expect(results.filter((result) => result.code !== EXIT.OK)).toEqual([]);
    expect(Object.keys(new ProfileStore(home).all()).sort()).toEqual(agents.map((agent) => agent.agentId).sort());
  });
});
