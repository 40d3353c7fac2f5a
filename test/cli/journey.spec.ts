import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyEd25519 } from '../../src/crypto/ed25519-verify';
import { EXIT } from '../../src/cli/exit-codes';
import { CLI_BUILT, REPO_ROOT, runInPty, runProcess, type ProcessResult } from './support/cli-process';
import { embeddedEnv } from '../support/embedded-env';
import { withDeadline } from '../support/with-deadline';

/**
 * The journey of the source article, end to end: the server (embedded default) runs built, in
 * its own process; every ztkeys command is a separate process of the built CLI, each agent with
 * a CLI home of its own (their own machine). Passphrases go through the documented fd 3, and the
 * admin's first one through a real pseudo-terminal, typed twice.
 */
const DIST = join(REPO_ROOT, 'dist');
const PASSPHRASES = { alice: 'alice: correct horse battery', bob: 'bob: staple tr0ub4dor &3', carol: 'carol: purple monkey dishwasher' };
type Agent = keyof typeof PASSPHRASES;

jest.setTimeout(120_000);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts the built server and waits until it says it is ready (or stops, or a minute passes). */
async function startServer(env: Record<string, string>): Promise<ChildProcess> {
  const server = spawn(process.execPath, [join(DIST, 'src/main.js')], { env: embeddedEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  server.stdout!.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')));
  server.stderr!.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')));
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
    if (server.exitCode !== null) throw new Error(`The server exited (${server.exitCode}) before it was ready:\n${logs}`);
    // A readiness probe that does not answer is given up and tried again, within the minute.
    const status = await fetch(`http://127.0.0.1:${env.PORT}/health/ready`, { signal: AbortSignal.timeout(5000) }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return server;
  }
  server.kill('SIGKILL');
  throw new Error(`The server was not ready within a minute:\n${logs}`);
}

describe('ztkeys journey (built server and CLI, separate processes)', () => {
  let work: string;
  let apiUrl: string;
  let server: ChildProcess;
  let orgId: string;
  const secrets = { BOOTSTRAP_TOKEN: 'operator-bootstrap-token-for-the-journey', JWT_SECRET: 'journey-jwt-secret-of-at-least-32-bytes!' };

  const homeOf = (agent: Agent | 'operator') => join(work, `home-${agent}`);
  const envOf = (agent: Agent | 'operator', extra: Record<string, string> = {}) => ({
    PATH: process.env.PATH,
    HOME: homeOf(agent),
    ZTKEYS_HOME: homeOf(agent),
    ...extra,
  });
  /** One ztkeys command as `agent` on their machine; `passphrase` goes to fd 3 (--passphrase-fd 3). */
  const ztkeys = (agent: Agent | 'operator', args: string[], options: { input?: string; fd3?: string; env?: Record<string, string> } = {}) =>
    runProcess(CLI_BUILT, args, { env: envOf(agent, options.env), input: options.input, fd3: options.fd3 });
  const signing = (agent: Agent, args: string[], options: { input?: string; passphrase?: string } = {}) =>
    ztkeys(agent, [...args, '--passphrase-fd', '3'], { input: options.input, fd3: `${options.passphrase ?? PASSPHRASES[agent]}\n` });
  /** The --json result of a run that must succeed; a failure shows what the CLI said. */
  const json = <T>(result: ProcessResult): T => {
    if (result.code !== EXIT.OK) throw new Error(`ztkeys exited ${result.code}:\n${result.stderr}${result.stdout}`);
    return JSON.parse(result.stdout) as T;
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ztkeys-journey-'));
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    // Checkpoints within 50 ms, so that the final export is covered by a signed one.
    server = await startServer({ PORT: String(port), DATA_DIR: join(work, 'data'), LOG_CHECKPOINT_DELAY_MS: '50', ...secrets });
  });
  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await withDeadline(`the journey's server (pid ${String(server.pid)}) to exit after SIGTERM`, 15_000, exited);
    }
    rmSync(work, { recursive: true, force: true });
  });

  const mintToken = async (agentId: string): Promise<string> => {
    const result = await runProcess([process.execPath, join(DIST, 'src/tools/mint-token.js')], ['--org', orgId, '--agent', agentId], {
      env: { PATH: process.env.PATH, DATA_DIR: join(work, 'data'), ...secrets },
    });
    expect(result.code).toBe(0);
    return result.stdout.trim().split('\n').pop()!.trim();
  };
  const login = async (agent: Agent) => {
    const result = await ztkeys(agent, ['login', '--api', apiUrl, '--token-fd', '3'], { fd3: await mintToken(agent) });
    expect(result.code).toBe(EXIT.OK);
    expect(result.stdout).toMatch(new RegExp(`^Logged in to Acme Support \\(${orgId}\\) at ${apiUrl} as ${agent}; profile "default", now the default\\.`));
  };

  /** What a command answered with --json; `position` is the event position of its write. */
  type Written = { position: string };
  let bobRequest: Written & { requestId: string; verificationCode: string };
  let carolFirst: Written & { requestId: string; fingerprint: string };
  let carolSecond: Written & { requestId: string; fingerprint: string };
  /** bob's last write, which alice's reads (another machine) must wait for. */
  let bobLast: string;
  const after = (position: string) => ['--min-position', position];

  it('creates the org with its SUPER_ADMIN, who logs in and adds two members', async () => {
    const created = json<{ orgId: string }>(
      await ztkeys('operator', ['org', 'create', '--api', apiUrl, '--name', 'Acme Support', '--admin-id', 'alice', '--admin-email', 'alice@acme.test', '--admin-name', 'Alice Admin', '--json'], {
        env: { ZTKEYS_BOOTSTRAP_TOKEN: secrets.BOOTSTRAP_TOKEN },
      }),
    );
    orgId = created.orgId;
    await login('alice');
    for (const [agent, name] of [['bob', 'Bob Member'], ['carol', 'Carol Member']] as const) {
      const added = await ztkeys('alice', ['agents', 'add', agent, '--email', `${agent}@acme.test`, '--name', name, '--role', 'member']);
      expect(added).toMatchObject({ code: EXIT.OK, stdout: `Added ${agent} (${name} <${agent}@acme.test>) as MEMBER.\n` });
      await login(agent);
    }
  });

  it("approves the admin's first key at once; the passphrase is typed twice on a terminal, never shown", async () => {
    const { code, stdout: screen } = await runInPty(CLI_BUILT, ['keys', 'create'], envOf('alice', { TERM: 'dumb' }), [
      { expect: /New passphrase for your signature key: $/, type: `${PASSPHRASES.alice}\r` },
      { expect: /again: $/, type: `${PASSPHRASES.alice}\r` },
    ]);
    expect(code).toBe(EXIT.OK);
    expect(screen).toMatch(/Key request \S+ is APPROVED: the organization's first key, active at once\./);
    expect(screen).toMatch(/verification code +\d{3}-\d{3}-\d{3}-\d{3}-\d{3}/);
    expect(screen).not.toContain(PASSPHRASES.alice);
    const keyDir = join(homeOf('alice'), 'keys', orgId, 'alice');
    const [keyFile] = readdirSync(keyDir).filter((name) => name !== 'index.json');
    expect(statSync(join(keyDir, keyFile)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(keyDir, keyFile), 'utf8')).not.toContain(PASSPHRASES.alice);
  });

  it('shows the lifecycle policy to a member, and lets the SUPER_ADMIN change it with a signature (R20)', async () => {
    const shown = await ztkeys('bob', ['policy', 'show']);
    expect(shown).toMatchObject({ code: EXIT.OK, stdout: expect.stringMatching(/memberKeyApprovals +1\n/) });
    expect(shown.stdout).toMatch(/pendingRequestExpiryHours +168\n/);
    expect((await ztkeys('alice', ['policy', 'set'])).code).toBe(EXIT.USAGE);
    // A policy the server would refuse is refused before the passphrase is asked for (found by the lifecycle probe).
    for (const [option, value, said] of [
      ['--member-approvals', '0', /--member-approvals: memberKeyApprovals is at least 1/],
      ['--reminder-after-hours', '168', /--reminder-after-hours: approvers are reminded before a request expires/],
    ] as const) {
      const refused = await ztkeys('alice', ['policy', 'set', option, value]);
      expect({ code: refused.code, stderr: refused.stderr }).toEqual({ code: EXIT.USAGE, stderr: expect.stringMatching(said) });
      expect(refused.stderr).not.toMatch(/passphrase/i);
    }
    const set = await signing('alice', ['policy', 'set', '--request-expiry-hours', '72', '--reminder-after-hours', '24']);
    expect(set.stderr).not.toMatch(/ztkeys:/);
    expect(set).toMatchObject({ code: EXIT.OK, stdout: expect.stringMatching(/pendingRequestExpiryHours +72\n[\s\S]*Policy changed\.\n$/) });
    const changed = json<{ pendingRequestExpiryHours: number; reminderAfterHours: number; memberKeyApprovals: number }>(await ztkeys('bob', ['policy', 'show', '--json']));
    expect(changed).toMatchObject({ pendingRequestExpiryHours: 72, reminderAfterHours: 24, memberKeyApprovals: 1 });
  });

  it('changes nothing when another change of the policy came between its read and its write (If-Match), and says so', async () => {
    let unlock!: (passphrase: string) => void;
    let read!: () => void;
    const policyRead = new Promise<void>((resolve) => (read = resolve));
    const slow = runProcess(CLI_BUILT, ['policy', 'set', '--member-approvals', '2', '--passphrase-fd', '3'], {
      env: envOf('alice'),
      fd3: new Promise<string>((resolve) => (unlock = resolve)),
      onOutput: (stdout) => /New policy of/.test(stdout) && read(),
    });
    // It read the policy and waits for its passphrase: another run changes the policy meanwhile.
    await Promise.race([policyRead, slow]);
    expect((await signing('alice', ['policy', 'set', '--reminder-after-hours', '12'])).code).toBe(EXIT.OK);
    unlock(`${PASSPHRASES.alice}\n`);
    const refused = await slow;
    expect({ code: refused.code, stderr: refused.stderr }).toEqual({ code: EXIT.REFUSED, stderr: expect.stringMatching(/changed since version \d+[\s\S]*POLICY_CHANGED/) });
    const policy = json<{ reminderAfterHours: number; memberKeyApprovals: number }>(await ztkeys('bob', ['policy', 'show', '--json']));
    expect(policy).toMatchObject({ reminderAfterHours: 12, memberKeyApprovals: 1 });
  });

  it("approves a member's key with the right code after one wrong code, and not with a wrong passphrase", async () => {
    bobRequest = json(await signing('bob', ['keys', 'create', '--json']));
    expect(bobRequest).toMatchObject({ status: 'PENDING', verificationCode: expect.stringMatching(/^\d{3}(-\d{3}){4}$/) });

    const pending = json<{ items: Array<{ requestId: string; agentId: string; verificationCode: string; verified: boolean }> }>(
      await ztkeys('alice', ['keys', 'pending', '--json', ...after(bobRequest.position)]),
    );
    expect(pending.items).toEqual([expect.objectContaining({ requestId: bobRequest.requestId, agentId: 'bob', verificationCode: bobRequest.verificationCode, verified: true })]);
    // R20: it expires 72 hours (the policy set above) after its challenge's expiry (5 minutes after it was issued) and the tolerated skew (2 minutes).
    const [{ requestedAt, expiresAt }] = pending.items as unknown as Array<{ requestedAt: string; expiresAt: string }>;
    const lead = Date.parse(expiresAt) - Date.parse(requestedAt) - 72 * 3600_000;
    expect([lead > 0, lead <= 7 * 60_000]).toEqual([true, true]);
    const table = await ztkeys('alice', ['keys', 'pending', ...after(bobRequest.position)]);
    expect(table.stdout).toMatch(/^REQUEST +REQUESTER +FINGERPRINT +REPLACES +VERIFICATION CODE +REQUESTED AT +EXPIRES AT +WRONG CODES +APPROVALS\n/);
    expect(table.stdout).toContain(` ${expiresAt} `);

    const wrongCode = bobRequest.verificationCode.replace(/^\d/, (digit) => String((Number(digit) + 1) % 10));
    const approve = ['keys', 'approve', bobRequest.requestId, ...after(bobRequest.position)];
    // A code that is not the key's, as computed here: refused before anything is signed (a signature binds the key, not the code), so nothing is counted.
    const wrong = await signing('alice', approve, { input: `${wrongCode}\n` });
    expect(wrong.code).toBe(EXIT.CHECK_FAILED);
    expect(wrong.stdout).toMatch(/requester +bob \(Bob Member <bob@acme\.test>\)/);
    expect(wrong.stdout).toContain(bobRequest.verificationCode);
    expect(wrong.stdout).toMatch(new RegExp(`expires at +${expiresAt}\n[\\s\\S]*approvals +0/1\n`));
    expect(wrong.stderr).toContain(`The code read out, ${wrongCode}, is not the code of the key this request holds (${bobRequest.verificationCode}): nothing was signed or sent.`);

    const badPassphrase = await signing('alice', approve, { input: `${bobRequest.verificationCode}\n`, passphrase: 'not alice passphrase' });
    expect(badPassphrase.code).toBe(EXIT.CHECK_FAILED);
    expect(badPassphrase.stderr).toMatch(/Wrong passphrase for the signature key .* Nothing was signed\./);

    const approved = await signing('alice', approve, { input: `${bobRequest.verificationCode}\n` });
    expect(approved.stderr).not.toMatch(/ztkeys:/);
    expect(approved.code).toBe(EXIT.OK);
    expect(approved.stdout).toMatch(/Approved: bob's key [0-9a-f]{64} is ACTIVE\./);
  });

  it('rejects a third agent, who then requests again from scratch with a new key', async () => {
    carolFirst = json(await signing('carol', ['keys', 'create', '--json']));
    const rejected = await signing('alice', ['keys', 'reject', carolFirst.requestId, '--reason', 'Not on the support rota yet', ...after(carolFirst.position)]);
    expect(rejected).toMatchObject({ code: EXIT.OK, stdout: expect.stringMatching(/Rejected carol's key request/) });

    carolSecond = json(await signing('carol', ['keys', 'create', '--json']));
    expect(carolSecond).toMatchObject({ status: 'PENDING' });
    expect(carolSecond.requestId).not.toBe(carolFirst.requestId);
    expect(carolSecond.fingerprint).not.toBe(carolFirst.fingerprint);
    // The rejected key is gone from carol's machine; only the new one is kept.
    expect(readdirSync(join(homeOf('carol'), 'keys', orgId, 'carol')).sort()).toEqual([`${carolSecond.fingerprint}.json`, 'index.json'].sort());

    // Her token is fine; what she lacks is an ACTIVE key (401 NO_ACTIVE_KEY): no advice to log in again.
    const early = await ztkeys('carol', ['task', 'authorize', 'remote-control', '--browser', 'laptop']);
    expect(early.code).toBe(EXIT.REFUSED);
    expect(early.stderr).toMatch(/code: NO_ACTIVE_KEY\nYou hold no ACTIVE key: .*ztkeys keys create/);
    expect(early.stderr).not.toMatch(/log in again/);

    // A second request while one is PENDING: refused, with the option that replaces it (not the API's member), and her key kept.
    const again = await signing('carol', ['keys', 'create']);
    expect(again.code).toBe(EXIT.REFUSED);
    expect(again.stderr).toMatch(/ztkeys keys create --replace-pending/);
    expect(again.stderr).not.toMatch(/replacePending/);
    expect(readdirSync(join(homeOf('carol'), 'keys', orgId, 'carol')).sort()).toEqual([`${carolSecond.fingerprint}.json`, 'index.json'].sort());
  });

  it('remembers a signature for a day in the DAILY browser only, until logout', async () => {
    const args = (browser: string) => ['task', 'authorize', 'remote-control', '--browser', browser, '--json'];
    const method = (result: ProcessResult) => {
      const authorization = json<Written & { authorized: boolean; method: string }>(result);
      bobLast = authorization.position;
      return authorization.method;
    };

    // bob's first signature since the approval: his CLI learns of it and signs with the new key.
    const first = await signing('bob', args('laptop'));
    expect(method(first)).toBe('SIGNATURE');
    expect(first.stderr).toMatch(/Your key request \S+ was approved: key [0-9a-f]{64} is now your active key\./);

    expect(await signing('bob', ['prompt-frequency', 'set', 'DAILY', '--browser', 'laptop'])).toMatchObject({
      code: EXIT.OK,
      stdout: 'Prompt frequency in browser laptop: DAILY (a signature is remembered there for 24 hours).\n',
    });
    // No passphrase source: a run that tried to sign would stop at exit 2.
    expect(method(await ztkeys('bob', args('laptop')))).toBe('REMEMBERED');
    const otherBrowser = await ztkeys('bob', args('desktop'));
    expect(otherBrowser.code).toBe(EXIT.USAGE);
    expect(otherBrowser.stderr).toMatch(/"remote-control" needs your signature in browser desktop\.\n.*No terminal to ask for the passphrase/);
    expect(method(await signing('bob', args('desktop')))).toBe('SIGNATURE');

    const status = json<{ agents: Array<{ agentId: string; promptFrequencies: Record<string, string> }> }>(await ztkeys('alice', ['status', '--json', ...after(bobLast)]));
    expect(status.agents.find((agent) => agent.agentId === 'bob')?.promptFrequencies).toMatchObject({ laptop: 'DAILY' });

    expect(await ztkeys('bob', ['logout', '--browser', 'laptop'])).toMatchObject({ code: EXIT.OK });
    expect(method(await signing('bob', args('laptop')))).toBe('SIGNATURE');
  });

  it('shows the zero-trust status of every agent', async () => {
    const status = json<{ agents: Array<{ agentId: string; role: string; keyStatus: string; approvedBy?: string; promptFrequencies?: Record<string, string> }> }>(
      await ztkeys('alice', ['status', '--json', ...after(bobLast)]),
    );
    const byAgent = Object.fromEntries(status.agents.map((agent) => [agent.agentId, agent]));
    expect(byAgent.alice).toMatchObject({ role: 'SUPER_ADMIN', keyStatus: 'ACTIVE' });
    expect(byAgent.bob).toMatchObject({ role: 'MEMBER', keyStatus: 'ACTIVE', approvedBy: 'alice' });
    expect(byAgent.bob.promptFrequencies?.laptop ?? 'EVERY_TASK').toBe('EVERY_TASK');
    expect(byAgent.carol).toMatchObject({ role: 'MEMBER', keyStatus: 'PENDING' });
    const table = await ztkeys('alice', ['status', ...after(bobLast)]);
    expect(table.code).toBe(EXIT.OK);
    expect(table.stdout).toMatch(/^AGENT +NAME +ROLE +KEY +FINGERPRINT/);
    expect(table.stdout).toMatch(/^bob +Bob Member +MEMBER +ACTIVE +[0-9a-f]{16}… +alice /m);
  });

  it('tells who could perform sensitive tasks at an instant (audit as-of)', async () => {
    const now = new Date().toISOString();
    const answer = json<{ at: string; agents: Array<{ agentId: string; role: string; key: { mode: string } }> }>(
      await ztkeys('alice', ['audit', 'as-of', now, '--json', ...after(bobLast)]),
    );
    expect(answer.agents.map((agent) => [agent.agentId, agent.role, agent.key.mode])).toEqual([
      ['alice', 'SUPER_ADMIN', 'FIRST_KEY'],
      ['bob', 'MEMBER', 'APPROVAL'],
    ]);
    const table = await ztkeys('alice', ['audit', 'as-of', now]);
    expect(table.stdout).toMatch(/^At \S+: 2 agent\(s\) could perform sensitive tasks\.\n\nAGENT +ROLE +FINGERPRINT +MODE +ACTIVE SINCE/);
    expect(table.stdout).toMatch(/^bob +MEMBER +[0-9a-f]{16}… +APPROVAL /m);
    const bad = await ztkeys('alice', ['audit', 'as-of', 'yesterday']);
    expect(bad.code).not.toBe(EXIT.OK);
    expect(bad.stderr).toMatch(/RFC 3339/);
  });

  it('exports every step of the journey, in order, in the audit log', async () => {
    const exported = await ztkeys('alice', ['audit', 'export', ...after(bobLast)]);
    expect(exported.code).toBe(EXIT.OK);
    const events = exported.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; data: Record<string, unknown> });
    const steps: Array<[string, Record<string, unknown>]> = [
      ['OrganizationCreated', {}],
      ['AgentAdded', { agentId: 'bob' }],
      ['AgentAdded', { agentId: 'carol' }],
      ['KeyRequested', { agentId: 'alice' }],
      ['KeyApproved', { agentId: 'alice', mode: 'FIRST_KEY' }],
      ['OrgPolicyChanged', { changedBy: 'alice' }],
      ['KeyRequested', { agentId: 'bob', requestId: bobRequest.requestId }],
      ['KeyApproved', { requestId: bobRequest.requestId, mode: 'APPROVAL', approvedBy: 'alice' }],
      ['KeyRequested', { requestId: carolFirst.requestId }],
      ['KeyRejected', { requestId: carolFirst.requestId, rejectedBy: 'alice', reason: 'Not on the support rota yet' }],
      ['KeyRequested', { requestId: carolSecond.requestId }],
      ['SensitiveTaskRefused', { agentId: 'carol', reason: 'NO_ACTIVE_KEY' }],
      ['SensitiveTaskRefused', { agentId: 'bob', browserId: 'laptop', reason: 'PROMPT_REQUIRED' }],
      ['SensitiveTaskAuthorized', { agentId: 'bob', browserId: 'laptop', method: 'SIGNATURE' }],
      ['PromptFrequencyChanged', { agentId: 'bob', browserId: 'laptop', frequency: 'DAILY', reason: 'SET' }],
      ['SensitiveTaskAuthorized', { browserId: 'laptop', method: 'REMEMBERED' }],
      ['SensitiveTaskRefused', { browserId: 'desktop', reason: 'PROMPT_REQUIRED' }],
      ['SensitiveTaskAuthorized', { browserId: 'desktop', method: 'SIGNATURE' }],
      ['PromptFrequencyChanged', { browserId: 'laptop', frequency: 'EVERY_TASK', reason: 'LOGOUT' }],
      ['SensitiveTaskRefused', { browserId: 'laptop', reason: 'PROMPT_REQUIRED' }],
      ['SensitiveTaskAuthorized', { browserId: 'laptop', method: 'SIGNATURE' }],
    ];
    // Each step is found after the previous one (events the journey did not name may lie between).
    let from = 0;
    for (const [type, data] of steps) {
      const at = events.findIndex((event, i) => i >= from && event.type === type && Object.entries(data).every(([name, value]) => event.data?.[name] === value));
      if (at < 0)
        throw new Error(`Audit step ${type} ${JSON.stringify(data)} is not after event #${from}; the log holds: ${events.map((event) => event.type).join(', ')}`);
      from = at + 1;
    }
    // The approval of bob's key can be checked offline: alice's key signed a statement binding it.
    const approval = events.find((event) => event.type === 'KeyApproved' && event.data.requestId === bobRequest.requestId)!;
    const aliceKey = events.find((event) => event.type === 'KeyApproved' && event.data.agentId === 'alice')!.data.publicKey as string;
    const decision = approval.data.decision as { statement: string; signature: string; publicKey: string };
    expect(decision.publicKey).toBe(aliceKey);
    expect(verifyEd25519(aliceKey, decision.statement, decision.signature)).toBe(true);
    expect(JSON.parse(decision.statement)).toMatchObject({ purpose: 'KEY_DECISION', requestId: bobRequest.requestId, requesterPublicKey: approval.data.publicKey, decision: 'APPROVE' });
  });

  it('verifies the export offline against the log key, then again against the checkpoint saved the first time', async () => {
    const file = join(work, 'audit.ndjson');
    const keyFile = join(work, 'log-key.txt');
    writeFileSync(keyFile, await (await fetch(`${apiUrl}/v1/log-key`)).text());
    // The checkpointer signs the whole log within moments of the last write.
    for (const deadline = Date.now() + 30_000; ; await new Promise((resolve) => setTimeout(resolve, 100))) {
      const exported = await ztkeys('alice', ['audit', 'export', ...after(bobLast)]);
      expect(exported.code).toBe(EXIT.OK);
      const lines = exported.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; data: { size?: number } });
      const last = lines.at(-1)!;
      writeFileSync(file, exported.stdout);
      if (last.type === 'CheckpointSigned' && last.data.size === lines.filter((line) => line.type !== 'CheckpointSigned').length) break;
      if (Date.now() > deadline) throw new Error('no checkpoint covers the whole log');
    }
    const saved = join(work, 'saved.checkpoint');
    const verified = await ztkeys('carol', ['audit', 'verify', file, '--log-key', keyFile, '--save-checkpoint', saved]);
    expect(verified).toMatchObject({ code: EXIT.OK, stderr: '' });
    expect(verified.stdout).toMatch(/^Audit log verified: /);
    expect(verified.stdout).toMatch(/bob \(MEMBER\): bob [0-9a-f]{16} APPROVAL by alice <- alice [0-9a-f]{16} FIRST_KEY/);
    const again = await ztkeys('carol', ['audit', 'verify', file, '--log-key', keyFile, '--trusted-checkpoint', saved, '--json']);
    expect(again.code).toBe(EXIT.OK);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, orgs: [{ orgId, uncovered: 0, trustedCheckpoint: { size: expect.any(Number) } }] });
  });

  it('lets the operator start a break-glass recovery, shown to the SUPER_ADMIN, who vetoes it with a signature (R20)', async () => {
    const operator = (args: string[]) => ztkeys('operator', ['recovery', ...args, '--api', apiUrl, '--org', orgId], { env: { ZTKEYS_BOOTSTRAP_TOKEN: secrets.BOOTSTRAP_TOKEN } });
    const started = json<{ recoveryId: string; delayHours: number; withWorkingApprover: boolean; claimBy: string }>(await operator(['start', '--agent', 'alice', '--json']));
    // alice still holds an active key: the recovery is allowed, with twice the policy's 72 hours to veto it.
    expect(started).toMatchObject({ delayHours: 144, withWorkingApprover: true });
    const again = await operator(['start', '--agent', 'alice']);
    expect(again.code).toBe(EXIT.REFUSED);
    expect(again.stderr).toMatch(/one recovery at a time/);
    const shown = await ztkeys('alice', ['recovery', 'show']);
    expect(shown).toMatchObject({ code: EXIT.OK, stdout: expect.stringMatching(new RegExp(`recovery +${started.recoveryId}\n[\\s\\S]*status +RUNNING\n[\\s\\S]*claim by +${started.claimBy} \\(the agent's key request, else it lapses\\)\n[\\s\\S]*delay +144 h \\(doubled`)) });
    expect((await ztkeys('carol', ['recovery', 'show'])).code).toBe(EXIT.REFUSED);
    const vetoed = await signing('alice', ['recovery', 'veto']);
    expect(vetoed.stderr).not.toMatch(/ztkeys:/);
    expect(vetoed).toMatchObject({ code: EXIT.OK, stdout: expect.stringMatching(new RegExp(`^Vetoing:\n[\\s\\S]*restores +alice \\(SUPER_ADMIN\\)\n[\\s\\S]*Recovery ${started.recoveryId} vetoed: it will not take effect\\.\n$`)) });
    expect(json<{ status: string; vetoedBy: string }>(await ztkeys('alice', ['recovery', 'show', '--json']))).toMatchObject({ status: 'VETOED', vetoedBy: 'alice' });
    expect((await signing('alice', ['recovery', 'veto'])).code).toBe(EXIT.USAGE);
  });

  it("tells the approver that a member's new key replaces their ACTIVE one, in the pending list and before approving (R8)", async () => {
    const bobKey = json<{ agents: Array<{ agentId: string; fingerprint: string }> }>(await ztkeys('alice', ['status', '--json', ...after(bobLast)])).agents.find(
      (agent) => agent.agentId === 'bob',
    )!.fingerprint;
    const rotation = json<Written & { requestId: string; verificationCode: string; fingerprint: string }>(await signing('bob', ['keys', 'create', '--json']));

    const pending = json<{ items: Array<{ requestId: string; displayName: string; email: string; replacesFingerprint: string | null }> }>(
      await ztkeys('alice', ['keys', 'pending', '--json', ...after(rotation.position)]),
    );
    expect(pending.items.find((item) => item.requestId === rotation.requestId)).toMatchObject({ displayName: 'Bob Member', email: 'bob@acme.test', replacesFingerprint: bobKey });
    expect(pending.items.find((item) => item.requestId === carolSecond.requestId)).toMatchObject({ replacesFingerprint: null });
    const table = await ztkeys('alice', ['keys', 'pending', ...after(rotation.position)]);
    expect(table.stdout).toMatch(/^REQUEST +REQUESTER +FINGERPRINT +REPLACES +VERIFICATION CODE /);
    expect(table.stdout).toMatch(new RegExp(`^${rotation.requestId} +bob \\(Bob Member <bob@acme\\.test>\\) +${rotation.fingerprint.slice(0, 16)}… +${bobKey.slice(0, 16)}… +`, 'm'));
    expect(table.stdout).toMatch(new RegExp(`^${carolSecond.requestId} +carol \\(Carol Member <carol@acme\\.test>\\) +${carolSecond.fingerprint.slice(0, 16)}… +- +`, 'm'));

    const approved = await signing('alice', ['keys', 'approve', rotation.requestId, ...after(rotation.position)], { input: `${rotation.verificationCode}\n` });
    expect(approved.code).toBe(EXIT.OK);
    expect(approved.stdout).toMatch(new RegExp(`\n +replaces +${bobKey} \\(ACTIVE: approving revokes it\\)\n`));
  });
});
