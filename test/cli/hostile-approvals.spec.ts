import { copyFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { openKey, parseKeyFile, sealKey } from '../../src/cli/key-file';
import { KeyStore } from '../../src/cli/key-store';
import { generateKeyPair } from '../../src/cli/signature-key';
import { fingerprint } from '../../src/crypto/public-key';
import { verificationCode } from '../../src/crypto/verification-code';
import { issuedChallenge, PASSPHRASE, signingStandIn, type SigningStandIn } from './support/signing-home';
import { keyRequestAnswer } from './support/key-request-answer';
import type { StandInApi } from './support/stand-in-api';

jest.setTimeout(60_000);

const BOB = { orgId: 'org-1', agentId: 'bob' };

/**
 * A server (taken over, or mistaken) answers APPROVED for bob's replacement request, which no admin
 * approved: his old key is still the ACTIVE one. The CLI cannot check an approval, so the built CLI
 * must not delete the old key file on that word alone: it keeps it, retired, mode 0600, and says where.
 */
describe('a replacement key said APPROVED by the server', () => {
  let api: StandInApi;
  let run: SigningStandIn['run'];
  const requests: string[] = [];
  let createdAnswer: (body: string) => unknown = () => undefined;
  /** The public key of the request req-2 the stand-in shows as APPROVED. */
  let pendingKey = '';

  beforeEach(async () => {
    requests.length = 0;
    ({ api, run } = await signingStandIn(
      'hostile-approvals',
      BOB,
      (method, url, body) => {
        if (method === 'POST' && url === '/v1/orgs/org-1/challenges') return [201, issuedChallenge(body, BOB, {})];
        if (method === 'POST' && url === '/v1/orgs/org-1/key-requests') return [201, createdAnswer(body)];
        if (method === 'GET' && url === '/v1/orgs/org-1/key-requests/req-2') return [200, keyRequestAnswer('req-2', pendingKey, { status: 'APPROVED', approvals: ['alice'] })];
        return undefined;
      },
      requests,
    ));
  });
  afterEach(() => api.close());

  const keyFolder = () => join(api.home, 'keys', 'org-1', 'bob');

  /** The old ACTIVE key's file is kept, retired, 0600, still opening with its passphrase; the output names it. */
  async function expectKept(old: string, output: string): Promise<void> {
    const retired = join(keyFolder(), `${old}.retired.json`);
    expect(readdirSync(keyFolder())).toContain(`${old}.retired.json`);
    expect(statSync(retired).mode & 0o777).toBe(0o600);
    const key = await openKey(parseKeyFile(readFileSync(retired, 'utf8'), retired), PASSPHRASE);
    expect(key.fingerprint).toBe(old);
    expect(output).toContain(`Your replaced key ${old} is kept at ${retired}`);
  }

  it('keys create --replace-pending: keeps the old key file when the answer says APPROVED', async () => {
    const old = new KeyStore(api.home, BOB).index().active!;
    createdAnswer = (body) => {
      const { publicKey } = JSON.parse(body) as { publicKey: string };
      return { requestId: 'req-2', status: 'APPROVED', fingerprint: fingerprint(publicKey), verificationCode: verificationCode('org-1', 'bob', publicKey), position: '9' };
    };
    const result = await run(['keys', 'create', '--replace-pending']);
    expect(requests).toContain('POST /v1/orgs/org-1/key-requests');
    expect(result.code).toBe(EXIT.OK);
    await expectKept(old, result.stdout);
  });

  it('keys restore <fingerprint>: the retired key is the active one again, the falsely approved one retired in its place; nothing is asked of the server', async () => {
    const store = new KeyStore(api.home, BOB);
    const old = store.index().active!;
    createdAnswer = (body) => {
      const { publicKey } = JSON.parse(body) as { publicKey: string };
      return { requestId: 'req-2', status: 'APPROVED', fingerprint: fingerprint(publicKey), verificationCode: verificationCode('org-1', 'bob', publicKey), position: '9' };
    };
    expect((await run(['keys', 'create', '--replace-pending'])).code).toBe(EXIT.OK);
    const refused = store.index().active!;
    requests.length = 0;

    const restored = await run(['keys', 'restore', old]);
    expect({ code: restored.code, stderr: restored.stderr, requests }).toEqual({ code: EXIT.OK, stderr: '', requests: [] });
    expect(restored.stdout).toBe(
      `Restored key ${old} as your active key (from ${join(keyFolder(), `${old}.retired.json`)}). The key it replaces, ${refused}, is kept at ${join(keyFolder(), `${refused}.retired.json`)} (mode 0600): delete it once you are sure it is not yours to use.\n`,
    );
    expect(store.index().active).toBe(old);
    expect(readdirSync(keyFolder()).sort()).toEqual([`${old}.json`, `${refused}.retired.json`, 'index.json'].sort());
    expect(statSync(join(keyFolder(), `${old}.json`)).mode & 0o777).toBe(0o600);
    expect((await openKey(store.load(old), PASSPHRASE)).fingerprint).toBe(old);

    // As JSON for scripts; a key that is not retired here is a usage error naming those that are, nothing changed.
    const again = await run(['keys', 'restore', refused, '--json']);
    expect([again.code, JSON.parse(again.stdout)]).toEqual([EXIT.OK, { fingerprint: refused, replaced: { fingerprint: old, path: join(keyFolder(), `${old}.retired.json`) } }]);
    const missing = await run(['keys', 'restore', 'a'.repeat(64)]);
    expect([missing.code, missing.stderr]).toEqual([
      EXIT.USAGE,
      `ztkeys: No retired key ${'a'.repeat(64)} in ${keyFolder()}: the retired keys there are ${old}.\n`,
    ]);
    // A retired file holding another key than its name says (copied there) is refused, as any key file: it would become the key that signs.
    const copied = join(keyFolder(), `${'b'.repeat(64)}.retired.json`);
    copyFileSync(join(keyFolder(), `${old}.retired.json`), copied);
    const mismatched = await run(['keys', 'restore', 'b'.repeat(64)]);
    expect([mismatched.code, mismatched.stderr]).toEqual([
      EXIT.CHECK_FAILED,
      `ztkeys: Key file ${copied} holds key ${old}, not the key its name says: restore it from a copy, or run "ztkeys keys create".\n`,
    ]);
    expect(store.index().active).toBe(refused);
  });

  it('settling a pending request the server says APPROVED: keeps the old key file', async () => {
    const store = new KeyStore(api.home, BOB);
    const old = store.index().active!;
    const next = await generateKeyPair();
    pendingKey = next.publicKey;
    store.save(await sealKey(next, BOB, PASSPHRASE, new Date().toISOString()));
    store.recordRequest(next.fingerprint, 'req-2', 'PENDING');
    const result = await run(['prompt-frequency', 'set', 'DAILY', '--browser', 'b-1']);
    expect(requests[0]).toBe('GET /v1/orgs/org-1/key-requests/req-2');
    expect(result.stdout).toContain(`key ${next.fingerprint} is now your active key`);
    expect(store.index().active).toBe(next.fingerprint);
    await expectKept(old, result.stdout);
  });
});
