import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { ProfileStore } from '../../src/cli/profile-store';
import { runCli } from '../../src/cli/run-cli';
import { serverForSuite } from '../support/server-for-suite';
import type { TestAgent } from '../support/api-client';
import { memoryIo } from './support/memory-io';
import { KeyStore } from '../../src/cli/key-store';
import { writePrivateFile } from '../../src/cli/private-file';

const PASSPHRASE = { ZTKEYS_PASSPHRASE: 'a long enough passphrase for these keys' };

/**
 * `keys create` while this machine still lists a key request as pending: what became of it is
 * asked, not assumed. Approved since the last run (its key ACTIVE on the server), its key file is
 * the active key and is kept; cancelled by the new request (--replace-pending), it is deleted. It
 * deleted the ACTIVE key's file in both cases, exit 0, and the agent could sign nothing (found
 * from outside by the CLI audit, on a genuine server).
 */
describe('ztkeys keys create over a pending request (real server)', () => {
  const suite = serverForSuite();
  let alice: TestAgent;
  let home: string;

  beforeAll(async () => {
    alice = await suite.journey.createOrg('alice');
    await suite.journey.requestKey(alice);
  });
  beforeEach(() => (home = mkdtempSync(join(tmpdir(), 'ztkeys-pending-approved-'))));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const run = async (argv: string[]) => {
    const io = memoryIo({ ZTKEYS_HOME: home, ...PASSPHRASE });
    const code = await runCli([...argv, '--json'], io);
    return { code, stdout: io.stdout.text, stderr: io.stderr.text };
  };
  const agent = async (agentId: string) => {
    const added = await suite.journey.addAgent(alice, agentId);
    new ProfileStore(home).save('default', { apiUrl: suite.server.url, token: added.token, orgId: added.orgId, agentId });
    return added;
  };
  const keysDir = (agentId: string) => join(home, 'keys', encodeURIComponent(alice.orgId), agentId);
  const index = (agentId: string) => JSON.parse(readFileSync(join(keysDir(agentId), 'index.json'), 'utf8')) as { active?: string; pending?: { fingerprint: string; requestId: string } };
  const keyFileOf = (agentId: string, fingerprint: string) => existsSync(join(keysDir(agentId), `${fingerprint}.json`));

  it.each([[[] as string[]], [['--replace-pending']]])('keeps the key of a request approved since the last run as the active key (keys create %j): the new request is a key change', async (flags) => {
    const agentId = `bob${flags.length}`;
    await agent(agentId);
    const first = JSON.parse((await run(['keys', 'create'])).stdout) as { requestId: string; fingerprint: string; verificationCode: string };
    expect((await suite.journey.decide(alice, first.requestId, 'APPROVE', { verificationCode: first.verificationCode })).status).toBe(200);

    const second = await run(['keys', 'create', ...flags]);
    expect(second.code).toBe(EXIT.OK);
    expect(second.stderr).toContain(`Your key request ${first.requestId} was approved: key ${first.fingerprint} is now your active key.`);
    const changed = JSON.parse(second.stdout) as { requestId: string; fingerprint: string };
    expect(index(agentId)).toEqual({ active: first.fingerprint, pending: { fingerprint: changed.fingerprint, requestId: changed.requestId } });
    expect([keyFileOf(agentId, first.fingerprint), keyFileOf(agentId, changed.fingerprint)]).toEqual([true, true]);
    // The ACTIVE key signs.
    expect((await run(['prompt-frequency', 'set', 'DAILY', '--browser', 'laptop'])).code).toBe(EXIT.OK);
  });

  it('deletes the key of the pending request the new one cancelled (--replace-pending), saying so', async () => {
    await agent('carol');
    const first = JSON.parse((await run(['keys', 'create'])).stdout) as { requestId: string; fingerprint: string };
    const second = await run(['keys', 'create', '--replace-pending']);
    expect(second.code).toBe(EXIT.OK);
    expect(second.stderr).toContain(`Your key request ${first.requestId} ended (CANCELLED); its key was deleted from this machine.`);
    const replaced = JSON.parse(second.stdout) as { requestId: string; fingerprint: string };
    expect(index('carol')).toEqual({ pending: { fingerprint: replaced.fingerprint, requestId: replaced.requestId } });
    expect([keyFileOf('carol', first.fingerprint), keyFileOf('carol', replaced.fingerprint)]).toEqual([false, true]);
  });
});

describe('KeyStore.recordRequest: the late answer of an older request (two keys create at once in one home)', () => {
  it("keeps the pending request the index lists, the server's one PENDING request once settled, and drops the older request's key, which that one cancelled", () => {
    const home = mkdtempSync(join(tmpdir(), 'ztkeys-late-answer-'));
    try {
      const store = new KeyStore(home, { orgId: 'acme', agentId: 'erin' });
      const [older, newer] = ['a', 'b'].map((digit) => digit.repeat(64));
      for (const fingerprint of [older, newer]) writePrivateFile(store.pathOf(fingerprint), '{}');
      // The newer request's answer came first.
      store.recordRequest(newer, 'erin.kr_2', 'PENDING');
      store.recordRequest(older, 'erin.kr_1', 'PENDING');
      expect(store.index()).toEqual({ pending: { fingerprint: newer, requestId: 'erin.kr_2' } });
      expect([existsSync(store.pathOf(older)), existsSync(store.pathOf(newer))]).toEqual([false, true]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
