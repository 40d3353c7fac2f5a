/// <reference lib="dom" />
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { envelope } from '../../src/application/command-context';
import { recoveryTimes } from '../../src/domain/recovery/recovery.decider';
import { OPERATOR_ACTOR } from '../../src/domain/shared/actor';
import { consoleBuilt } from '../../src/http/console-static';
import { checkpointSize } from '../../src/transparency/checkpoint';
import { cosignerFromSeed, cosignerKeyText, parseCosignerKey, verifyCosignatures } from '../../src/transparency/cosignature';
import { LOG_KEY_FILE } from '../../src/transparency/log-key';
import { parseNote, signerFromSeed, signerKeyText, verifierKeyText } from '../../src/transparency/signed-note';
import { freePort } from '../notifications/support/redis-process';
import { waitFor } from '../notifications/support/wait-for';
import { startTestServer, type TestServer } from '../support/test-server';
import { WitnessProcess } from '../witness/support/witness-process';
import { freshAuditScreen } from './audit-screen';
import { accessibilityViolations, chromiumBeside } from './browser';
import { serverApi } from './server-api';

/**
 * "Require shared witnesses" in Chromium: the server asks a real witness (`npm run witness`, built,
 * its own process) to cosign its checkpoints; a console user who requires a witness whose
 * cosignature the served checkpoint lacks is refused and nothing is kept; one who requires the
 * server's witness is told the checkpoint is cosigned and the export extends it.
 */
jest.setTimeout(180_000);

const logSigner = signerFromSeed('ztkeys.test/audit-log', Buffer.alloc(32, 7));
/** A witness the server does not ask: its cosignature is on no checkpoint. */
const OTHER_WITNESS = cosignerKeyText(cosignerFromSeed('witness.test/other', Buffer.alloc(32, 9)));

describe('web console: required shared witnesses (Chromium, a witness process)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-console-witness-'));
  const witnessDir = mkdtempSync(join(tmpdir(), 'ztkeys-console-witness-w-'));
  let witness: WitnessProcess;
  let witnessKey: string;
  let server: TestServer;
  let browser: Browser;
  let orgId: string;
  let token: string;

  const call = serverApi(() => server);
  const api = (method: string, path: string, body?: object) => call(method, path, token ?? server.bootstrapToken, body);
  const served = async () => (await fetch(`${server.url}/v1/orgs/${orgId}/audit-log/checkpoint`, { headers: { authorization: `Bearer ${token}` } })).text();
  /** The served checkpoint once it signs the whole log and carries the witness's cosignature (asked for when served). */
  const cosignedCheckpoint = () =>
    waitFor('the whole log checkpointed and cosigned', async () => {
      const exported = (await (await fetch(`${server.url}/v1/orgs/${orgId}/audit-log/export`, { headers: { authorization: `Bearer ${token}` } })).text()).trim().split('\n');
      if (JSON.parse(exported.at(-1)!).type !== 'CheckpointSigned') return false;
      const note = await served();
      return verifyCosignatures(note, [parseCosignerKey(witnessKey)]).length === 1 && note;
    });

  const requireWitnesses = async (page: Page, keys: string[], quorum = '') => {
    await page.getByLabel('Witness verifier keys').fill(keys.join('\n'));
    await page.getByLabel('Quorum').fill(quorum);
    await page.getByRole('button', { name: 'Save the witnesses' }).click();
  };
  const verify = async (page: Page) => {
    await page.getByRole('button', { name: 'Verify the audit log' }).click();
    const verdict = page.getByTestId('audit-verdict');
    await verdict.waitFor();
    return (await verdict.textContent())!;
  };
  const kept = (page: Page) => page.evaluate(() => Object.keys(localStorage).filter((name) => name.startsWith('ztkeys.auditWitness.')));

  beforeAll(async () => {
    if (!consoleBuilt()) throw new Error('The web console is not built: run `npm run build` first (npm test does).');
    // The log key is the operator's, known before the witness starts: the witness is told it.
    writeFileSync(join(dataDir, LOG_KEY_FILE), `${signerKeyText(logSigner)}\n`, { mode: 0o600 });
    witness = WitnessProcess.spawn({ WITNESS_DATA_DIR: witnessDir, WITNESS_PORT: String(await freePort()), WITNESS_LOG_KEYS: verifierKeyText(logSigner), WITNESS_KEY_NAME: 'witness.test/w1' });
    const { url, vkey } = await witness.listening();
    witnessKey = vkey;
    browser = await chromiumBeside(async () => {
      server = await startTestServer({ DATA_DIR: dataDir, LOG_CHECKPOINT_DELAY_MS: '50', WITNESSES: `${url} ${witnessKey}`, WITNESS_QUORUM: '1', WITNESS_TIMEOUT_MS: '2000' });
      ({ orgId } = await api('POST', '/v1/orgs', { name: 'Acme', superAdmin: { agentId: 'alice', email: 'alice@acme.test', displayName: 'Alice Admin' } }));
      token = await server.token(orgId, 'alice');
      // Two checkpoints, the second signed after bob is added: an export can be cut at the first.
      await cosignedCheckpoint();
      await api('POST', `/v1/orgs/${orgId}/agents`, { agentId: 'bob', email: 'bob@acme.test', displayName: 'Bob', role: 'MEMBER' });
      await cosignedCheckpoint();
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await witness?.stop();
    for (const dir of [dataDir, witnessDir]) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a checkpoint not cosigned by the witness the user requires, saying how many of how many cosigned, and keeps nothing', async () => {
    const page = await freshAuditScreen(browser, server.url, token, 1000);
    await requireWitnesses(page, [OTHER_WITNESS]);
    expect(await verify(page)).toMatch(/^REFUSED: the checkpoint is cosigned by 0 of the 1 required witness\(es\), fewer than the quorum of 1: .* nothing from it\./);
    expect(await kept(page)).toEqual([]);

    // Both witnesses, all of them required: the server's alone is not enough.
    await requireWitnesses(page, [witnessKey, OTHER_WITNESS]);
    expect(await verify(page)).toMatch(/^REFUSED: the checkpoint is cosigned by 1 of the 2 required witness\(es\), fewer than the quorum of 2: /);
    expect(await kept(page)).toEqual([]);

    // A key that is none (its id does not match its name and key): refused before anything is checked.
    await requireWitnesses(page, [witnessKey.replace(/\+[0-9a-f]{8}\+/, '+00000000+')]);
    expect(await verify(page)).toMatch(/^A witness key you set is no witness verifier key \(.*\): witness verifier key id 00000000 does not match its name and key\. Nothing was verified\.$/);
    expect(await kept(page)).toEqual([]);
    await page.context().close();
  });

  it("refuses the server's checkpoint served without its cosignature (a fork the witness refused), and keeps nothing", async () => {
    const page = await freshAuditScreen(browser, server.url, token, 1000);
    await page.route('**/audit-log/checkpoint', async (route) => {
      const response = await route.fetch();
      const note = await response.text();
      const { text, signatures } = parseNote(note);
      const logLine = note.split('\n').find((line) => line.startsWith(`\u2014 ${logSigner.name} `))!;
      expect(signatures).toHaveLength(2);
      await route.fulfill({ response, body: `${text}\n${logLine}\n` });
    });
    await requireWitnesses(page, [witnessKey]);
    expect(await verify(page)).toMatch(/^REFUSED: the checkpoint is cosigned by 0 of the 1 required witness\(es\)/);
    expect(await kept(page)).toEqual([]);
    await page.context().close();
  });

  it('refuses an export that stops short of the cosigned checkpoint, which verifies without the witness', async () => {
    const cosigned = await cosignedCheckpoint();
    const page = await freshAuditScreen(browser, server.url, token, 1000);
    // The export cut after its first checkpoint: a log of its own, signed, which a fresh browser verifies.
    await page.route('**/audit-log/export', async (route) => {
      const response = await route.fetch();
      const lines = (await response.text()).trim().split('\n');
      const first = lines.findIndex((line) => JSON.parse(line).type === 'CheckpointSigned');
      await route.fulfill({ response, body: `${lines.slice(0, first + 1).join('\n')}\n` });
    });
    const [, shortSize] = /^Verified: \d+ events, up to checkpoint (\d+) /.exec(await verify(page)) ?? [];
    expect(Number(shortSize)).toBeLessThan(checkpointSize(cosigned));
    await page.evaluate(() => localStorage.clear());

    await requireWitnesses(page, [witnessKey]);
    expect(await verify(page)).toBe(
      `The audit log is INVALID or TAMPERED. First problem at the log as a whole: the trusted checkpoint covers ${checkpointSize(cosigned)} events of org ${orgId} but this log holds only ${shortSize}: events were removed Nothing in it is verified.`,
    );
    expect(await kept(page)).toEqual([]);
    await page.context().close();
  });

  it("verifies with the server's witness required: cosigned by 1 of 1, the export extends the cosigned checkpoint; the setting is kept per org", async () => {
    const page = await freshAuditScreen(browser, server.url, token, 1000);
    await requireWitnesses(page, [witnessKey]);
    const cosigned = await cosignedCheckpoint();
    const [, size] = /^Verified: \d+ events, up to checkpoint (\d+) /.exec(await verify(page)) ?? [];
    expect(Number(size)).toBe(checkpointSize(cosigned));
    expect(await page.getByTestId('audit-cosigned').textContent()).toBe(
      `Cosigned by 1 of 1 witness(es) you require (quorum 1): the server's checkpoint of size ${size} is the history they saw, and this export extends it.`,
    );
    expect(await kept(page)).toEqual([`ztkeys.auditWitness.${orgId}`]);

    // The log grows: the next checkpoint is cosigned again, extends the one kept (a consistency proof), and verifies.
    await api('POST', `/v1/orgs/${orgId}/agents`, { agentId: 'carol', email: 'carol@acme.test', displayName: 'Carol', role: 'MEMBER' });
    const grown = await cosignedCheckpoint();
    expect(checkpointSize(grown)).toBeGreaterThan(Number(size));
    // A consistency answer of the right shape that does not prove the extension: refused, the checkpoint kept stays.
    const before = await page.evaluate((slot) => localStorage.getItem(slot), `ztkeys.auditWitness.${orgId}`);
    await page.route('**/audit-log/consistency?*', async (route) => {
      const response = await route.fetch();
      const answer = (await response.json()) as { proof: string[] };
      await route.fulfill({ response, json: { ...answer, proof: answer.proof.map(() => Buffer.alloc(32, 1).toString('base64')) } });
    });
    expect(await verify(page)).toMatch(
      new RegExp(`^REFUSED: the server's log \\(size ${checkpointSize(grown)}, root \\S+\\) is not an extension of the one seen earlier \\(size ${size}, root \\S+\\): its history was rewritten or forked\\. The log does not extend the checkpoint this browser verified before`),
    );
    expect(await page.evaluate((slot) => localStorage.getItem(slot), `ztkeys.auditWitness.${orgId}`)).toBe(before);
    await page.unroute('**/audit-log/consistency?*');
    // The reload shows the audit screen again by itself: clicking its link too would draw it a second time, under the form being filled.
    await page.reload();
    expect(await page.getByLabel('Witness verifier keys').inputValue()).toBe(witnessKey);
    await requireWitnesses(page, [witnessKey, OTHER_WITNESS], '1');
    expect(await verify(page)).toMatch(new RegExp(`^Verified: \\d+ events, up to checkpoint ${checkpointSize(grown)} `));
    expect(await page.getByTestId('audit-cosigned').textContent()).toMatch(/^Cosigned by 1 of 2 witness\(es\) you require \(quorum 1\)/);
    await page.getByTestId('audit-witness').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(__dirname, '../../docs/console/13-audit-witnessed.png'), fullPage: true });
    await page.context().close();
  });

  // Last: it leaves a forged event in the org's log.
  it('refuses an event appended after the checkpoint this browser kept and dated before it, though the checkpoint cosigned since covers it (README: what event times prove)', async () => {
    const page = await freshAuditScreen(browser, server.url, token, 1000);
    await requireWitnesses(page, [witnessKey]);
    const keptNote = await cosignedCheckpoint();
    expect(await verify(page)).toMatch(/^Verified: /);

    // The insider, holding the log key and the database: a break-glass recovery appended now, dated so that it took effect an hour ago.
    const startedAt = new Date(Date.now() - 73 * 3600 * 1000).toISOString();
    const data = { recoveryId: `rc_${randomUUID()}`, agentId: 'alice', startedAt, ...recoveryTimes(startedAt, 72), delayHours: 72, withWorkingApprover: false };
    const context = { actor: OPERATOR_ACTOR, orgId, correlationId: randomUUID(), commandId: randomUUID(), now: new Date(startedAt) };
    await server.eventStore.append([{ stream: `recovery-${orgId}`, expected: 'no_stream', events: envelope([{ type: 'RecoveryStarted', data }], context) }]);
    // The server signs it and the witness cosigns it: it extends the history the witness saw.
    const cosigned = await cosignedCheckpoint();
    expect(checkpointSize(cosigned)).toBe(checkpointSize(keptNote) + 1);
    expect(await verify(page)).toMatch(
      new RegExp(`^The audit log is INVALID or TAMPERED\\. First problem at line \\d+ \\(RecoveryStarted .*\\): the event is dated ${startedAt.replace(/\./g, '\\.')}, before the trusted checkpoint of size ${checkpointSize(keptNote)} was signed at `),
    );
    await page.context().close();
  });
});
